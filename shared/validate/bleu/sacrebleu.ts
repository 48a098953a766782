/**
 * BLEU as sacreBLEU 2.x computes it (`sacrebleu/metrics/bleu.py`): detokenized text in, its own
 * tokenization, clipped n-gram counts over several references, closest reference length (the
 * shorter one on ties), four smoothing methods and the reproducibility signature.
 */
import { pyRstrip, pySplit } from "../text.ts";
import { addSegmentCounts } from "./clipped-counts.ts";
import { type BleuTokenizerName, tokenize } from "./tokenizers.ts";

/** The release of sacreBLEU whose behaviour this module mirrors; it ends the signature. */
export const SACREBLEU_VERSION = "2.4.3";

/** sacreBLEU's smoothing methods (Chen & Cherry 2014): `exp` is mteval-v13a's, the default. */
export type BleuSmoothMethod = "exp" | "floor" | "add-k" | "none";

const SMOOTH_DEFAULTS: Record<BleuSmoothMethod, number | undefined> = {
  none: undefined,
  floor: 0.1,
  "add-k": 1,
  exp: undefined,
};

/** What sacreBLEU's `my_log` returns for log(0), so a zero precision zeroes the score. */
const LOG_ZERO = -9999999999;

/** Options of {@link corpusBleu} and {@link sentenceBleu}; defaults are sacreBLEU's. */
export interface BleuOptions {
  /** Tokenizer (default `13a`). */
  tokenize?: BleuTokenizerName;
  /** Lowercase hypotheses and references first (default false). */
  lowercase?: boolean;
  /** Smoothing method (default `exp`). */
  smoothMethod?: BleuSmoothMethod;
  /** Value for `floor` (default 0.1) and `add-k` (default 1). */
  smoothValue?: number;
  /** Highest n-gram order (default 4). */
  maxNgramOrder?: number;
  /**
   * Stop at the highest order the hypothesis has n-grams of. Default false for corpus BLEU and
   * true for sentence BLEU, as in sacreBLEU's `corpus_bleu` / `sentence_bleu` functions.
   */
  effectiveOrder?: boolean;
}

/** A BLEU score with its sufficient statistics; `score` is on sacreBLEU's 0..100 scale. */
export interface BleuScore {
  score: number;
  counts: number[];
  totals: number[];
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
  /** e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.3` */
  signature: string;
}

interface ResolvedOptions {
  tokenize: BleuTokenizerName;
  lowercase: boolean;
  smoothMethod: BleuSmoothMethod;
  smoothValue: number | undefined;
  maxNgramOrder: number;
  effectiveOrder: boolean;
}

function resolve(options: BleuOptions, effectiveOrderDefault: boolean): ResolvedOptions {
  const smoothMethod = options.smoothMethod ?? "exp";
  if (!(smoothMethod in SMOOTH_DEFAULTS)) throw new Error(`Unknown smooth method ${smoothMethod}`);
  return {
    tokenize: options.tokenize ?? "13a",
    lowercase: options.lowercase ?? false,
    smoothMethod,
    smoothValue: options.smoothValue,
    maxNgramOrder: options.maxNgramOrder ?? 4,
    effectiveOrder: options.effectiveOrder ?? effectiveOrderDefault,
  };
}

/**
 * BLEU from its sufficient statistics (sacreBLEU's `BLEU.compute_bleu`), with `score` on 0..100.
 * `correct` and `total` hold one count per n-gram order.
 */
export function computeBleu(
  correct: readonly number[],
  total: readonly number[],
  sysLen: number,
  refLen: number,
  options: Pick<
    BleuOptions,
    "smoothMethod" | "smoothValue" | "effectiveOrder" | "maxNgramOrder"
  > = {},
): Omit<BleuScore, "signature"> {
  const smoothMethod = options.smoothMethod ?? "none";
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  const maxOrder = options.maxNgramOrder ?? 4;
  const counts = correct.slice(0, maxOrder);
  const totals = total.slice(0, maxOrder);
  let bp = 1;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  const precisions = new Array<number>(maxOrder).fill(0);
  const result = { counts: [...counts], totals: [...totals], precisions, bp, sysLen, refLen };
  // No match at any order: 0, whatever the smoothing (sacreBLEU #141).
  if (!counts.some((c) => c !== 0)) return { score: 0, ...result };

  let smoothMteval = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (smoothMethod === "add-k" && n > 1) {
      counts[n - 1] += smoothValue;
      totals[n - 1] += smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (options.effectiveOrder) effOrder = n;
    if (counts[n - 1] === 0) {
      if (smoothMethod === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totals[n - 1]);
      } else if (smoothMethod === "floor") {
        precisions[n - 1] = (100 * smoothValue) / totals[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * counts[n - 1]) / totals[n - 1];
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++)
    logSum += precisions[i] === 0 ? LOG_ZERO : Math.log(precisions[i]);
  return { score: bp * Math.exp(logSum / effOrder), ...result };
}

/** sacreBLEU's `_get_closest_ref_len`: nearest length, the shorter one on ties. */
function closestRefLength(hypLen: number, refLens: readonly number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const refLen of refLens) {
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) {
      closestLen = refLen;
    }
  }
  return closestLen;
}

function preprocess(line: string, options: ResolvedOptions): string {
  return tokenize(pyRstrip(options.lowercase ? line.toLowerCase() : line), options.tokenize);
}

/** The signature sacreBLEU prints beside a BLEU score. */
export function bleuSignature(
  nrefs: number | "var",
  options: BleuOptions & { effectiveOrder: boolean },
): string {
  const method = options.smoothMethod ?? "exp";
  const fallback = SMOOTH_DEFAULTS[method];
  const smooth =
    fallback === undefined ? method : `${method}[${(options.smoothValue ?? fallback).toFixed(2)}]`;
  return [
    `nrefs:${nrefs}`,
    `case:${options.lowercase ? "lc" : "mixed"}`,
    `eff:${options.effectiveOrder ? "yes" : "no"}`,
    `tok:${options.tokenize ?? "13a"}`,
    `smooth:${smooth}`,
    `version:${SACREBLEU_VERSION}`,
  ].join("|");
}

function scoreSegments(
  hypotheses: readonly string[],
  references: readonly (readonly (string | null | undefined)[])[],
  options: ResolvedOptions,
): BleuScore {
  const maxOrder = options.maxNgramOrder;
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  let sysLen = 0;
  let refLen = 0;
  const refCounts = new Set<number>();
  const ignoredDenominators = new Array<number>(maxOrder).fill(0);
  for (const stream of references) {
    if (stream.length !== hypotheses.length) {
      throw new Error("Each reference stream must have as many lines as the hypotheses");
    }
  }
  for (let s = 0; s < hypotheses.length; s++) {
    // A reference stream may leave a segment empty: that segment has fewer references.
    const refs = references
      .map((stream) => stream[s])
      .filter((r): r is string => r != null && r !== "");
    if (refs.length === 0) throw new Error("Empty or missing reference sentence found.");
    refCounts.add(refs.length);
    const refTokens = refs.map((ref) => pySplit(preprocess(ref, options)));
    const hypTokens = pySplit(preprocess(hypotheses[s], options));
    sysLen += hypTokens.length;
    refLen += closestRefLength(
      hypTokens.length,
      refTokens.map((r) => r.length),
    );
    // Clipped counts against the per-n-gram maximum over the references: the same sums as
    // NLTK's modified precision numerators, so the same fast counter serves both.
    addSegmentCounts(refTokens, hypTokens, maxOrder, correct, ignoredDenominators);
    for (let n = 1; n <= maxOrder; n++) total[n - 1] += Math.max(0, hypTokens.length - n + 1);
  }
  const nrefs = refCounts.size === 1 ? [...refCounts][0] : "var";
  return {
    ...computeBleu(correct, total, sysLen, refLen, options),
    signature: bleuSignature(nrefs, options),
  };
}

/**
 * Corpus BLEU (sacreBLEU's `corpus_bleu`): `references` is a list of reference streams, each
 * holding one line per hypothesis (several streams = several references per segment).
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly (string | null | undefined)[])[],
  options: BleuOptions = {},
): BleuScore {
  return scoreSegments(hypotheses, references, resolve(options, false));
}

/** Sentence BLEU (sacreBLEU's `sentence_bleu`, effective order on by default). */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuScore {
  return scoreSegments(
    [hypothesis],
    references.map((ref) => [ref]),
    resolve(options, true),
  );
}
