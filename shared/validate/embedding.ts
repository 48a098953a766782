/**
 * Figures on embedding vectors (computed by a model elsewhere and passed in): cosine similarity
 * and the mean pairwise cosine distance of a set, a diversity measure.
 */

/** Cosine similarity of two equally long vectors; 0 when either is all zeros. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError("vectors of different lengths");
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Mean of 1 − cosine over all pairs of the set; 0 for fewer than two vectors. */
export function meanPairwiseDistance(vectors: readonly (readonly number[])[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < vectors.length; i++)
    for (let j = i + 1; j < vectors.length; j++) {
      sum += 1 - cosine(vectors[i], vectors[j]);
      pairs++;
    }
  return pairs === 0 ? 0 : sum / pairs;
}
