/**
 * BLEU as NLTK 3.8 computes it (`nltk/translate/bleu_score.py`): pre-tokenized input, weights
 * per n-gram order, Chen & Cherry's smoothing methods 0..7, and a 0..1 scale. It differs from
 * sacreBLEU on purpose (no tokenizer, different zero handling), so both are offered.
 */
import { wordNgramCounts } from "../text.ts";

/** A fraction kept unreduced, as NLTK keeps `Fraction(..., _normalize=False)`. */
interface Ratio {
  numerator: number;
  denominator: number;
}

/** Python's `sys.float_info.min`: what method0 puts in place of a zero precision. */
const FLOAT_MIN = 2.2250738585072014e-308;

/** NLTK's `SmoothingFunction` methods, by number. */
export type NltkSmoothing = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

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

const SEP = "\u0000";

/** NLTK's `modified_precision`: clipped n-gram matches over the hypothesis n-grams. */
export function modifiedPrecision(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  n: number,
): Ratio {
  const counts = wordNgramCounts(hypothesis, n, SEP);
  const maxCounts = new Map<string, number>();
  for (const reference of references) {
    const refCounts = wordNgramCounts(reference, n, SEP);
    for (const gram of counts.keys()) {
      maxCounts.set(gram, Math.max(maxCounts.get(gram) ?? 0, refCounts.get(gram) ?? 0));
    }
  }
  let numerator = 0;
  let sum = 0;
  for (const [gram, count] of counts) {
    numerator += Math.min(count, maxCounts.get(gram) ?? 0);
    sum += count;
  }
  return { numerator, denominator: Math.max(1, sum) };
}

// Scratch buffers reused across segments (allocation and garbage collection would otherwise
// cost more than the counting), grown on demand.
const tokenIds = new Map<string, number>();
let ids = new Float64Array(256);
let keys = new Float64Array(256);
let sortedHyp = new Float64Array(64);
let sortedRef = new Float64Array(64);
let distinct = new Float64Array(64);
let distinctCounts = new Int32Array(64);
let bestRefCounts = new Int32Array(64);

function grow(total: number, longest: number): void {
  if (ids.length < total) {
    ids = new Float64Array(2 * total);
    keys = new Float64Array(2 * total);
  }
  if (sortedHyp.length < longest) {
    sortedHyp = new Float64Array(2 * longest);
    sortedRef = new Float64Array(2 * longest);
    distinct = new Float64Array(2 * longest);
    distinctCounts = new Int32Array(2 * longest);
    bestRefCounts = new Int32Array(2 * longest);
  }
}

/**
 * The clipped counts of one segment for orders 1..maxOrder, added to `numerators` and
 * `denominators` (what `modified_precision` gives per order, all orders in one go). Tokens become
 * small integers and an n-gram the number its tokens form in base `vocabulary + 1`; the keys of
 * order n grow from those of order n - 1 in place, and counting is done on sorted key arrays,
 * with no map and no string built per n-gram.
 */
function addSegmentCounts(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  maxOrder: number,
  numerators: number[],
  denominators: number[],
): void {
  // Segment 0 is the hypothesis, then the references: starts[k] .. starts[k + 1] in `ids`.
  const starts = [0, hypothesis.length];
  let longest = hypothesis.length;
  for (const ref of references) {
    starts.push(starts[starts.length - 1] + ref.length);
    if (ref.length > longest) longest = ref.length;
  }
  grow(starts[starts.length - 1], longest);
  tokenIds.clear();
  let at = intern(hypothesis, 0);
  for (const ref of references) at = intern(ref, at);
  const base = tokenIds.size + 1;
  if (base ** maxOrder >= Number.MAX_SAFE_INTEGER) {
    for (let n = 1; n <= maxOrder; n++) {
      const p = modifiedPrecision(references, hypothesis, n);
      numerators[n - 1] += p.numerator;
      denominators[n - 1] += p.denominator;
    }
    return;
  }
  for (let n = 1; n <= maxOrder; n++) {
    if (n > 1) {
      for (let k = 0; k + 1 < starts.length; k++) {
        for (let i = starts[k]; i + n <= starts[k + 1]; i++)
          keys[i] = keys[i] * base + ids[i + n - 1];
      }
    }
    const hypCount = hypothesis.length - n + 1;
    denominators[n - 1] += Math.max(1, hypCount);
    if (hypCount <= 0) continue;
    sortedCopy(keys, 0, hypCount, sortedHyp);
    let distinctCount = 0;
    for (let i = 0; i < hypCount; i++) {
      if (i > 0 && sortedHyp[i] === sortedHyp[i - 1]) distinctCounts[distinctCount - 1]++;
      else {
        distinct[distinctCount] = sortedHyp[i];
        distinctCounts[distinctCount] = 1;
        bestRefCounts[distinctCount] = 0;
        distinctCount++;
      }
    }
    for (let k = 1; k + 1 < starts.length; k++) {
      const refCount = starts[k + 1] - starts[k] - n + 1;
      if (refCount <= 0) continue;
      sortedCopy(keys, starts[k], refCount, sortedRef);
      // Merge the two sorted lists, counting each distinct hypothesis key in the reference.
      let j = 0;
      for (let d = 0; d < distinctCount && j < refCount; d++) {
        while (j < refCount && sortedRef[j] < distinct[d]) j++;
        let c = 0;
        while (j < refCount && sortedRef[j] === distinct[d]) {
          c++;
          j++;
        }
        if (c > bestRefCounts[d]) bestRefCounts[d] = c;
      }
    }
    let numerator = 0;
    for (let d = 0; d < distinctCount; d++)
      numerator += Math.min(distinctCounts[d], bestRefCounts[d]);
    numerators[n - 1] += numerator;
  }
}

/** Writes the token ids of `tokens` into `ids` and `keys` from `at`; returns the next free slot. */
function intern(tokens: readonly string[], at: number): number {
  let next = at;
  for (let i = 0; i < tokens.length; i++) {
    let id = tokenIds.get(tokens[i]);
    if (id === undefined) {
      id = tokenIds.size + 1;
      tokenIds.set(tokens[i], id);
    }
    ids[next] = id;
    keys[next] = id;
    next++;
  }
  return next;
}

/**
 * Copies `source[from .. from + count)` into the start of `target`, sorted ascending. Insertion
 * sort for sentence-sized runs: it beats the library sort and allocates nothing.
 */
function sortedCopy(source: Float64Array, from: number, count: number, target: Float64Array): void {
  if (count > 64) {
    // Long documents: insertion sort would be quadratic.
    target.set(source.subarray(from, from + count));
    target.subarray(0, count).sort();
    return;
  }
  for (let i = 0; i < count; i++) {
    const value = source[from + i];
    let j = i - 1;
    while (j >= 0 && target[j] > value) {
      target[j + 1] = target[j];
      j--;
    }
    target[j + 1] = value;
  }
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

function ngramCount(tokens: readonly string[], n: number): number {
  return Math.max(0, tokens.length - n + 1);
}

/** Applies `SmoothingFunction().methodN` to the precisions (values, fractions as numbers). */
function smooth(
  ratios: Ratio[],
  method: NltkSmoothing,
  ctx: {
    references: readonly (readonly string[])[];
    hypothesis: readonly string[];
    hypLen: number;
    epsilon: number;
    alpha: number;
    k: number;
  },
): number[] {
  const value = (r: Ratio) => r.numerator / r.denominator;
  switch (method) {
    case 0:
      return ratios.map((r) => (r.numerator !== 0 ? value(r) : FLOAT_MIN));
    case 1:
      return ratios.map((r) =>
        r.numerator === 0 ? (r.numerator + ctx.epsilon) / r.denominator : value(r),
      );
    case 2:
      return ratios.map((r, i) => (i === 0 ? value(r) : (r.numerator + 1) / (r.denominator + 1)));
    case 3: {
      let incvnt = 1;
      return ratios.map((r) => {
        if (r.numerator !== 0) return value(r);
        const p = 1 / (2 ** incvnt * r.denominator);
        incvnt++;
        return p;
      });
    }
    case 4:
      return method4(ratios.map(value), ratios, ctx.hypLen || ctx.hypothesis.length, ctx.k);
    case 5:
      return method5(ratios.map(value), ctx.references, ctx.hypothesis);
    case 6: {
      const p = ratios.map(value);
      if (!p[2]) throw new Error("This smoothing method requires non-zero precision for bigrams.");
      for (let i = 2; i < p.length; i++) {
        const pi0 = p[i - 2] === 0 ? 0 : p[i - 1] ** 2 / p[i - 2];
        const l = ngramCount(ctx.hypothesis, i + 1);
        p[i] = (ratios[i].numerator + ctx.alpha * pi0) / (l + ctx.alpha);
      }
      return p;
    }
    case 7: {
      const p = method4(ratios.map(value), ratios, ctx.hypLen || ctx.hypothesis.length, ctx.k);
      return method5(p, ctx.references, ctx.hypothesis);
    }
  }
}

function method4(p: number[], ratios: readonly Ratio[], hypLen: number, k: number): number[] {
  let incvnt = 1;
  for (let i = 0; i < p.length; i++) {
    if (ratios[i].numerator === 0 && hypLen > 1) {
      const numerator = 1 / ((2 ** incvnt * k) / Math.log(hypLen));
      p[i] = numerator / ratios[i].denominator;
      incvnt++;
    }
  }
  return p;
}

function method5(
  p: number[],
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number[] {
  const five = modifiedPrecision(references, hypothesis, 5);
  const plus1 = [...p, five.numerator / five.denominator];
  let previous = p[0] + 1;
  for (let i = 0; i < p.length; i++) {
    p[i] = (previous + p[i] + plus1[i + 1]) / 3;
    previous = p[i];
  }
  return p;
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
