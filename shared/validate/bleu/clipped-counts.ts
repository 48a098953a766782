/**
 * Clipped n-gram counts for BLEU, NLTK's and sacreBLEU's alike (each hypothesis n-gram counts at
 * most as often as in the reference holding it most): `modified_precision` as NLTK writes it,
 * and the fast all-orders-at-once count both BLEU modules use (same sums, no string per n-gram).
 */
import { wordNgramCounts } from "../text.ts";

/** A fraction kept unreduced, as NLTK keeps `Fraction(..., _normalize=False)`. */
export interface Ratio {
  numerator: number;
  denominator: number;
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

// Scratch buffers reused across segments (safe: counting is synchronous; allocation and GC would
// otherwise cost more than the counting), grown on demand.
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
export function addSegmentCounts(
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
