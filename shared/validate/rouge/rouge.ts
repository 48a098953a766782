/**
 * ROUGE as Google's `rouge-score` package computes it (`rouge/rouge_scorer.py`,
 * `rouge/tokenize.py`): ROUGE-N on n-gram counts, ROUGE-L on the longest common subsequence,
 * ROUGE-Lsum on the union LCS of newline-separated sentences, each as precision, recall and F1.
 */
import { createPorterStemmer } from "../stem/porter.ts";

/** `rouge1`..`rouge9`, `rougeL` or `rougeLsum`. */
export type RougeType = `rouge${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}` | "rougeL" | "rougeLsum";

/** One ROUGE figure, each on 0..1. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** Options of {@link createRougeScorer}. */
export interface RougeOptions {
  /** Stem tokens longer than 3 characters with NLTK's Porter stemmer (default false). */
  useStemmer?: boolean;
}

const ZERO: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };

/** rouge-score's `scoring.fmeasure`. */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/**
 * rouge-score's tokenizer: lowercase, every run of characters other than [a-z0-9] becomes a
 * space, optional stemming of tokens longer than 3 characters, then only [a-z0-9]+ tokens kept.
 */
export function rougeTokenize(text: string, stem?: (word: string) => string): string[] {
  const tokens = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ");
  const out: string[] = [];
  for (const token of tokens) {
    const t = stem && token.length > 3 ? stem(token) : token;
    if (/^[a-z0-9]+$/.test(t)) out.push(t);
  }
  return out;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(" ");
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function scoreNgrams(target: Map<string, number>, prediction: Map<string, number>): RougeScore {
  let overlap = 0;
  let targetCount = 0;
  let predictionCount = 0;
  for (const [gram, count] of target) {
    overlap += Math.min(count, prediction.get(gram) ?? 0);
    targetCount += count;
  }
  for (const count of prediction.values()) predictionCount += count;
  const precision = overlap / Math.max(predictionCount, 1);
  const recall = overlap / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** The LCS dynamic-programming table, rows for `ref` and columns for `can`. */
function lcsTable(ref: readonly string[], can: readonly string[]): Int32Array[] {
  const table: Int32Array[] = [];
  for (let i = 0; i <= ref.length; i++) table.push(new Int32Array(can.length + 1));
  for (let i = 1; i <= ref.length; i++) {
    const row = table[i];
    const up = table[i - 1];
    for (let j = 1; j <= can.length; j++) {
      row[j] = ref[i - 1] === can[j - 1] ? up[j - 1] + 1 : Math.max(up[j], row[j - 1]);
    }
  }
  return table;
}

/** Length of the LCS in two rows of memory (ROUGE-L needs no backtracking). */
function lcsLength(ref: readonly string[], can: readonly string[]): number {
  let previous = new Int32Array(can.length + 1);
  let current = new Int32Array(can.length + 1);
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= can.length; j++) {
      current[j] =
        ref[i - 1] === can[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[can.length];
}

function scoreLcs(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return ZERO;
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** rouge-score's `_backtrack_norec`: indices into `ref` of one LCS, its own tie-breaking. */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const t = lcsTable(ref, can);
  let i = ref.length;
  let j = can.length;
  const out: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(i - 1);
      i--;
      j--;
    } else if (t[i][j - 1] > t[i - 1][j]) {
      j--;
    } else {
      i--;
    }
  }
  return out.reverse();
}

/** rouge-score's `_summary_level_lcs`: union LCS per reference sentence, hits counted once. */
function summaryLevelLcs(refSents: readonly string[][], canSents: readonly string[][]): RougeScore {
  if (refSents.length === 0 || canSents.length === 0) return ZERO;
  const m = refSents.reduce((sum, s) => sum + s.length, 0);
  const n = canSents.reduce((sum, s) => sum + s.length, 0);
  if (m === 0 || n === 0) return ZERO;
  const refCounts = new Map<string, number>();
  const canCounts = new Map<string, number>();
  for (const s of refSents) for (const t of s) refCounts.set(t, (refCounts.get(t) ?? 0) + 1);
  for (const s of canSents) for (const t of s) canCounts.set(t, (canCounts.get(t) ?? 0) + 1);
  let hits = 0;
  for (const ref of refSents) {
    const union = new Set<number>();
    for (const can of canSents) for (const index of lcsIndices(ref, can)) union.add(index);
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = ref[index];
      const c = canCounts.get(token) ?? 0;
      const r = refCounts.get(token) ?? 0;
      if (c > 0 && r > 0) {
        hits++;
        canCounts.set(token, c - 1);
        refCounts.set(token, r - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Creates a scorer for the given ROUGE types, as `rouge_scorer.RougeScorer(types, use_stemmer)`. */
export function createRougeScorer<T extends RougeType>(
  rougeTypes: readonly T[],
  options: RougeOptions = {},
): (target: string, prediction: string) => Record<T, RougeScore> {
  for (const type of rougeTypes) {
    if (!/^rouge([1-9]|L|Lsum)$/.test(type)) throw new Error(`Invalid rouge type: ${type}`);
  }
  const stem = options.useStemmer ? createPorterStemmer() : undefined;
  // rougeLsum assumes one sentence per line and skips empty lines.
  const sentences = (text: string) =>
    text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => rougeTokenize(line, stem));
  return (target, prediction) => {
    const targetTokens = rougeTokenize(target, stem);
    const predictionTokens = rougeTokenize(prediction, stem);
    const result = {} as Record<T, RougeScore>;
    for (const type of rougeTypes) {
      if (type === "rougeL") result[type] = scoreLcs(targetTokens, predictionTokens);
      else if (type === "rougeLsum")
        result[type] = summaryLevelLcs(sentences(target), sentences(prediction));
      else {
        const n = Number(type.slice(5));
        result[type] = scoreNgrams(ngramCounts(targetTokens, n), ngramCounts(predictionTokens, n));
      }
    }
    return result;
  };
}

/**
 * rouge-score's `score_multi`: scores against each target and keeps, per ROUGE type, the
 * figures of the target with the highest F-measure (the first one on ties).
 */
export function scoreMulti<T extends RougeType>(
  scorer: (target: string, prediction: string) => Record<T, RougeScore>,
  targets: readonly string[],
  prediction: string,
): Record<T, RougeScore> {
  const best = {} as Record<T, RougeScore>;
  for (const target of targets) {
    const scores = scorer(target, prediction);
    for (const type of Object.keys(scores) as T[]) {
      if (best[type] === undefined || scores[type].fmeasure > best[type].fmeasure)
        best[type] = scores[type];
    }
  }
  return best;
}

/**
 * The set figure of per-text scores: the mean precision, recall and F-measure per type, which
 * is rouge-score's BootstrapAggregator's mid value without resampling.
 */
export function meanRouge<T extends RougeType>(
  types: readonly T[],
  perText: readonly Record<T, RougeScore>[],
): Record<T, RougeScore> {
  const mean = (pick: (s: Record<T, RougeScore>) => number) =>
    perText.length === 0 ? 0 : perText.reduce((sum, s) => sum + pick(s), 0) / perText.length;
  return Object.fromEntries(
    types.map((t) => [
      t,
      {
        precision: mean((s) => s[t].precision),
        recall: mean((s) => s[t].recall),
        fmeasure: mean((s) => s[t].fmeasure),
      },
    ]),
  ) as Record<T, RougeScore>;
}
