/**
 * BLEU as NLTK 3.8 computes it (`nltk/translate/bleu_score.py`): pre-tokenized input, weights
 * per n-gram order, Chen & Cherry's smoothing methods 0..7, and a 0..1 scale. It differs from
 * sacreBLEU on purpose (no tokenizer, different zero handling), so both are offered.
 */
import { addSegmentCounts, modifiedPrecision } from "./clipped-counts.ts";
import { FLOAT_MIN, type NltkSmoothing, smooth } from "./nltk-smoothing.ts";

export { modifiedPrecision, type NltkSmoothing };

/** Options of {@link nltkSentenceBleu} and {@link nltkCorpusBleu}; defaults are NLTK's. */
export interface NltkBleuOptions {
  /** Weights per order (default four times 0.25). */
  weights?: readonly number[];
  /** `SmoothingFunction().methodN` (default 0). */
  smoothing?: NltkSmoothing;
  /** `SmoothingFunction(epsilon, alpha, k)` parameters (defaults 0.1, 5, 5). */
  epsilon?: number;
  alpha?: number;
  k?: number;
  /** Reweigh uniformly when the hypotheses hold fewer than 4 tokens (default false). */
  autoReweigh?: boolean;
}

/** NLTK's `closest_ref_length`: nearest length, the shorter one on ties. */
export function closestRefLength(
  references: readonly (readonly string[])[],
  hypLen: number,
): number {
  let best = Number.POSITIVE_INFINITY;
  for (const ref of references) {
    const len = ref.length;
    const d = Math.abs(len - hypLen);
    const bd = Math.abs(best - hypLen);
    if (d < bd || (d === bd && len < best)) best = len;
  }
  return best;
}

/** NLTK's `brevity_penalty`. */
export function brevityPenalty(closestRefLen: number, hypLen: number): number {
  if (hypLen > closestRefLen) return 1;
  if (hypLen === 0) return 0;
  return Math.exp(1 - closestRefLen / hypLen);
}

/**
 * Corpus BLEU as NLTK's `corpus_bleu` (micro-averaged precisions), on 0..1. With several weight
 * vectors, pass them through {@link nltkCorpusBleuMulti}.
 */
export function nltkCorpusBleu(
  listOfReferences: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  options: NltkBleuOptions = {},
): number {
  return nltkCorpusBleuMulti(
    listOfReferences,
    hypotheses,
    [options.weights ?? [0.25, 0.25, 0.25, 0.25]],
    options,
  )[0];
}

/** NLTK's `corpus_bleu` with a list of weight vectors: one score per vector. */
export function nltkCorpusBleuMulti(
  listOfReferences: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  weightsList: readonly (readonly number[])[],
  options: Omit<NltkBleuOptions, "weights"> = {},
): number[] {
  if (listOfReferences.length !== hypotheses.length) {
    throw new Error("The number of hypotheses and their reference(s) should be the same");
  }
  let maxOrder = 0;
  for (const w of weightsList) if (w.length > maxOrder) maxOrder = w.length;
  const numerators = new Array<number>(maxOrder).fill(0);
  const denominators = new Array<number>(maxOrder).fill(0);
  let hypLengths = 0;
  let refLengths = 0;
  for (let s = 0; s < hypotheses.length; s++) {
    const references = listOfReferences[s];
    const hypothesis = hypotheses[s];
    // NLTK raises too (a KeyError in modified_precision) when a hypothesis has no reference.
    if (references.length === 0)
      throw new Error("BLEU needs at least one reference per hypothesis");
    addSegmentCounts(references, hypothesis, maxOrder, numerators, denominators);
    hypLengths += hypothesis.length;
    refLengths += closestRefLength(references, hypothesis.length);
  }
  const bp = brevityPenalty(refLengths, hypLengths);
  const scores = new Array<number>(weightsList.length).fill(0);
  if (numerators[0] === 0) return scores;
  const smoothing = options.smoothing ?? 0;
  let p: number[];
  if (smoothing === 0) {
    // The default, kept free of allocations: NLTK puts the smallest float for a zero count.
    p = numerators;
    for (let i = 0; i < maxOrder; i++)
      p[i] = numerators[i] !== 0 ? numerators[i] / denominators[i] : FLOAT_MIN;
  } else {
    // NLTK hands the smoothing function the last segment (it leaks out of its loop).
    const last = hypotheses.length - 1;
    const ratios = numerators.map((numerator, i) => ({ numerator, denominator: denominators[i] }));
    p = smooth(ratios, smoothing, {
      references: listOfReferences[last],
      hypothesis: hypotheses[last],
      hypLen: hypLengths,
      epsilon: options.epsilon ?? 0.1,
      alpha: options.alpha ?? 5,
      k: options.k ?? 5,
    });
  }
  for (let w = 0; w < weightsList.length; w++) {
    let weights = weightsList[w];
    if (options.autoReweigh && hypLengths < 4 && isUniformQuarter(weights)) {
      weights = new Array(hypLengths).fill(1 / hypLengths);
    }
    let sum = 0;
    const orders = Math.min(weights.length, p.length);
    for (let i = 0; i < orders; i++) if (p[i] > 0) sum += weights[i] * Math.log(p[i]);
    scores[w] = bp * Math.exp(sum);
  }
  return scores;
}

function isUniformQuarter(weights: readonly number[]): boolean {
  return (
    weights.length === 4 &&
    weights[0] === 0.25 &&
    weights[1] === 0.25 &&
    weights[2] === 0.25 &&
    weights[3] === 0.25
  );
}

/** Sentence BLEU as NLTK's `sentence_bleu`, on 0..1. */
export function nltkSentenceBleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  options: NltkBleuOptions = {},
): number {
  return nltkCorpusBleu([references], [hypothesis], options);
}
