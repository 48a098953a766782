/**
 * Per-order n-gram match statistics of a hypothesis against references, on numbers instead of
 * strings: tokens (words or characters) become small integers, an n-gram the number its tokens
 * form in base `vocabulary + 1`, and counts come from merging sorted key arrays. Several times
 * faster than maps of joined strings, with the same sums.
 */

/** Keys of every n-gram, one sorted array per order 1..maxOrder. */
function sortedKeysPerOrder(
  ids: readonly number[],
  maxOrder: number,
  base: number,
): Float64Array[] {
  const keys = Float64Array.from(ids);
  const out: Float64Array[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    if (n > 1) for (let i = 0; i + n <= ids.length; i++) keys[i] = keys[i] * base + ids[i + n - 1];
    out.push(keys.slice(0, Math.max(0, ids.length - n + 1)).sort());
  }
  return out;
}

/** Sum over distinct keys of the smaller of their counts in two sorted arrays. */
function clippedMatches(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let matches = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      const key = a[i];
      let countA = 0;
      let countB = 0;
      while (i < a.length && a[i] === key) {
        countA++;
        i++;
      }
      while (j < b.length && b[j] === key) {
        countB++;
        j++;
      }
      matches += Math.min(countA, countB);
    }
  }
  return matches;
}

/**
 * For each reference, per order n = 1..maxOrder, the triple [hypothesis n-grams, reference
 * n-grams, clipped matches], flattened. Undefined when the vocabulary is too large for exact
 * numeric keys (base ^ maxOrder beyond 2^53); the caller then counts with strings.
 */
export function ngramMatchStats(
  hypothesis: readonly string[],
  references: readonly (readonly string[])[],
  maxOrder: number,
): number[][] | undefined {
  const ids = new Map<string, number>();
  const intern = (tokens: readonly string[]) =>
    tokens.map((token) => {
      let id = ids.get(token);
      if (id === undefined) {
        id = ids.size + 1;
        ids.set(token, id);
      }
      return id;
    });
  const hyp = intern(hypothesis);
  const refs = references.map(intern);
  const base = ids.size + 1;
  if (base ** maxOrder >= Number.MAX_SAFE_INTEGER) return undefined;
  const hypKeys = sortedKeysPerOrder(hyp, maxOrder, base);
  return refs.map((ref) => {
    const refKeys = sortedKeysPerOrder(ref, maxOrder, base);
    const stats: number[] = [];
    for (let n = 0; n < maxOrder; n++) {
      stats.push(hypKeys[n].length, refKeys[n].length, clippedMatches(hypKeys[n], refKeys[n]));
    }
    return stats;
  });
}
