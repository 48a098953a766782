/**
 * chrF and chrF++ as sacreBLEU 2.x computes them (`sacrebleu/metrics/chrf.py`): character n-grams
 * (code points, whitespace removed unless asked) of orders 1..6, plus word n-grams of orders 1..2
 * for chrF++, averaged precision and recall combined in an F-beta score on 0..100.
 */
import { SACREBLEU_VERSION } from "./bleu/sacrebleu.ts";
import { ngramMatchStats } from "./ngram-match.ts";
import { charNgramCounts, pyRemoveWhitespace, pySplit, wordNgramCounts } from "./text.ts";

/** Options of {@link corpusChrf} and {@link sentenceChrf}; defaults are sacreBLEU's chrF. */
export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Word n-gram order: 0 for chrF, 2 for chrF++ (default 0). */
  wordOrder?: number;
  /** Recall weight (default 2). */
  beta?: number;
  /** Lowercase first (default false). */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (default false). */
  whitespace?: boolean;
  /**
   * Epsilon smoothing as chrF++.py, Moses and NLTK do (default false: sacreBLEU's effective
   * order, which averages only the orders both sides have n-grams of).
   */
  epsSmoothing?: boolean;
}

/** A chrF score on 0..100 with its name (`chrF2`, `chrF2++`) and signature. */
export interface ChrfScore {
  name: string;
  score: number;
  signature: string;
}

interface Resolved {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

function resolve(options: ChrfOptions): Resolved {
  return {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    lowercase: options.lowercase ?? false,
    whitespace: options.whitespace ?? false,
    epsSmoothing: options.epsSmoothing ?? false,
  };
}

// Python's string.punctuation, which chrF++ splits off either end of a word.
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** chrF++'s word splitting: one punctuation mark off the end, else off the start (not both). */
function removePunctuation(sentence: string): string[] {
  const out: string[] = [];
  for (const word of pySplit(sentence)) {
    if (word.length === 1) out.push(word);
    else if (PUNCTUATION.has(word[word.length - 1]))
      out.push(word.slice(0, -1), word[word.length - 1]);
    else if (PUNCTUATION.has(word[0])) out.push(word[0], word.slice(1));
    else out.push(word);
  }
  return out;
}

function extractNgrams(sentence: string, o: Resolved): Map<string, number>[] {
  const text = o.whitespace ? sentence : pyRemoveWhitespace(sentence);
  const all = charNgramCounts(text, o.charOrder);
  if (o.wordOrder > 0) {
    const words = removePunctuation(sentence);
    for (let n = 1; n <= o.wordOrder; n++) all.push(wordNgramCounts(words, n));
  }
  return all;
}

/** sacreBLEU's `_compute_f_score` over flattened [hyp, ref, match] triples, on 0..100. */
function fScore(stats: readonly number[], o: Resolved): number {
  const eps = 1e-16;
  const factor = o.beta ** 2;
  const order = o.charOrder + o.wordOrder;
  let score = 0;
  let effectiveOrder = 0;
  let avgPrec = 0;
  let avgRec = 0;
  for (let i = 0; i < order; i++) {
    const nHyp = stats[3 * i];
    const nRef = stats[3 * i + 1];
    const nMatch = stats[3 * i + 2];
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder++;
    }
  }
  if (o.epsSmoothing) return (100 * score) / order;
  if (effectiveOrder === 0) return 0;
  avgPrec /= effectiveOrder;
  avgRec /= effectiveOrder;
  if (avgPrec + avgRec === 0) return 0;
  return (100 * ((1 + factor) * avgPrec * avgRec)) / (factor * avgPrec + avgRec);
}

/** The statistics of the reference with the best F score (the first one on ties). */
function segmentStatistics(
  hypothesis: string,
  references: readonly string[],
  o: Resolved,
): number[] {
  const chars = (text: string) => Array.from(o.whitespace ? text : pyRemoveWhitespace(text));
  const charStats = ngramMatchStats(chars(hypothesis), references.map(chars), o.charOrder);
  const wordStats =
    o.wordOrder > 0
      ? ngramMatchStats(
          removePunctuation(hypothesis),
          references.map(removePunctuation),
          o.wordOrder,
        )
      : references.map(() => []);
  // Vocabularies too large for exact numeric keys: count with strings instead.
  const perReference =
    charStats && wordStats
      ? references.map((_, r) => [...charStats[r], ...wordStats[r]])
      : stringStatistics(hypothesis, references, o);
  let best: number[] = [];
  let bestF = -1;
  for (const stats of perReference) {
    // No reference n-grams of an order: the hypothesis ones do not count either.
    for (let i = 0; i < stats.length; i += 3) if (stats[i + 1] === 0) stats[i] = 0;
    const f = fScore(stats, o);
    if (f > bestF) {
      bestF = f;
      best = stats;
    }
  }
  return best;
}

/** The same statistics as {@link ngramMatchStats}, counted on maps of string n-grams. */
function stringStatistics(
  hypothesis: string,
  references: readonly string[],
  o: Resolved,
): number[][] {
  const hypNgrams = extractNgrams(hypothesis, o);
  return references.map((reference) => {
    const refNgrams = extractNgrams(reference, o);
    const stats: number[] = [];
    for (let i = 0; i < hypNgrams.length; i++) {
      let hypCount = 0;
      let match = 0;
      for (const [gram, count] of hypNgrams[i]) {
        hypCount += count;
        const rc = refNgrams[i].get(gram);
        if (rc !== undefined) match += Math.min(count, rc);
      }
      let refCount = 0;
      for (const c of refNgrams[i].values()) refCount += c;
      stats.push(hypCount, refCount, match);
    }
    return stats;
  });
}

function signature(nrefs: number | "var", o: Resolved): string {
  return [
    `nrefs:${nrefs}`,
    `case:${o.lowercase ? "lc" : "mixed"}`,
    `eff:${o.epsSmoothing ? "no" : "yes"}`,
    `nc:${o.charOrder}`,
    `nw:${o.wordOrder}`,
    `space:${o.whitespace ? "yes" : "no"}`,
    `version:${SACREBLEU_VERSION}`,
  ].join("|");
}

/**
 * Corpus chrF (sacreBLEU's `CHRF().corpus_score`): statistics summed over segments, then one F
 * score. `references` is a list of reference streams, each with one line per hypothesis.
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly (string | null | undefined)[])[],
  options: ChrfOptions = {},
): ChrfScore {
  const o = resolve(options);
  const totals = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  const refCounts = new Set<number>();
  for (let s = 0; s < hypotheses.length; s++) {
    let refs = references
      .map((stream) => stream[s])
      .filter((r): r is string => r != null && r !== "");
    if (refs.length === 0) throw new Error("Empty or missing reference sentence found.");
    refCounts.add(refs.length);
    let hyp = hypotheses[s];
    if (o.lowercase) {
      hyp = hyp.toLowerCase();
      refs = refs.map((r) => r.toLowerCase());
    }
    const stats = segmentStatistics(hyp, refs, o);
    for (let i = 0; i < stats.length; i++) totals[i] += stats[i];
  }
  const nrefs = refCounts.size === 1 ? [...refCounts][0] : "var";
  return {
    name: `chrF${o.beta}${"+".repeat(o.wordOrder)}`,
    score: fScore(totals, o),
    signature: signature(nrefs, o),
  };
}

/** Sentence chrF (sacreBLEU's `sentence_chrf`). */
export function sentenceChrf(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): ChrfScore {
  return corpusChrf(
    [hypothesis],
    references.map((r) => [r]),
    options,
  );
}
