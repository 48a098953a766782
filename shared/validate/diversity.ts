/**
 * Diversity of a set of generated texts: distinct-n (Li et al. 2016), n-gram entropy, self-BLEU
 * (Zhu et al. 2018, Texygen) and the duplicate rate. Tokens are sacreBLEU's 13a tokens,
 * lowercased, unless the caller passes its own tokenizer.
 */
import { computeBleu } from "./bleu/sacrebleu.ts";
import { tokenize } from "./bleu/tokenizers.ts";
import { pySplit, wordNgramCounts } from "./text.ts";

/** Splits a text into tokens. */
export type Tokenizer = (text: string) => string[];

/** Lowercased 13a tokens: punctuation split off, as sacreBLEU's default. */
export const defaultTokenizer: Tokenizer = (text) => pySplit(tokenize(text.toLowerCase(), "13a"));

function ngramCountsOfSet(
  texts: readonly string[],
  n: number,
  tokenizer: Tokenizer,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const [gram, c] of wordNgramCounts(tokenizer(text), n))
      counts.set(gram, (counts.get(gram) ?? 0) + c);
  }
  return counts;
}

/** distinct-n: distinct n-grams over all n-grams of the set (0 when there are none). */
export function distinctN(
  texts: readonly string[],
  n: number,
  tokenizer: Tokenizer = defaultTokenizer,
): number {
  const counts = ngramCountsOfSet(texts, n, tokenizer);
  let total = 0;
  for (const c of counts.values()) total += c;
  return total === 0 ? 0 : counts.size / total;
}

/** Shannon entropy, in bits, of the n-gram distribution of the set. */
export function ngramEntropy(
  texts: readonly string[],
  n: number,
  tokenizer: Tokenizer = defaultTokenizer,
): number {
  const counts = ngramCountsOfSet(texts, n, tokenizer);
  let total = 0;
  for (const c of counts.values()) total += c;
  let entropy = 0;
  for (const c of counts.values()) {
    const p = c / total;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Options of {@link selfBleu}. */
export interface SelfBleuOptions {
  /** Highest n-gram order (default 4). */
  maxNgramOrder?: number;
  /** Tokenizer (default: lowercased 13a tokens). */
  tokenizer?: Tokenizer;
}

/**
 * Self-BLEU: the mean, over the texts, of each text's sentence BLEU (sacreBLEU's: `exp`
 * smoothing, effective order, 0..100) with every other text of the set as references. Higher
 * means less diverse. Linear in the size of the set: per n-gram, the two highest counts over the
 * set give the highest count over "all texts but this one".
 */
export function selfBleu(texts: readonly string[], options: SelfBleuOptions = {}): number {
  const maxOrder = options.maxNgramOrder ?? 4;
  const tokenizer = options.tokenizer ?? defaultTokenizer;
  if (texts.length < 2) return 0;
  const grams: Map<string, number>[] = [];
  const lengths: number[] = [];
  // n-gram -> [highest count, the text holding it, second highest count]
  const top = new Map<string, [number, number, number]>();
  texts.forEach((text, index) => {
    const tokens = tokenizer(text);
    const counts = new Map<string, number>();
    for (let n = 1; n <= maxOrder; n++)
      for (const [g, c] of wordNgramCounts(tokens, n)) counts.set(g, c);
    for (const [g, c] of counts) {
      const t = top.get(g);
      if (!t) top.set(g, [c, index, 0]);
      else if (c > t[0]) top.set(g, [c, index, t[0]]);
      else if (c > t[2]) t[2] = c;
    }
    grams.push(counts);
    lengths.push(tokens.length);
  });
  const lengthCounts = new Map<number, number>();
  // As sacreBLEU, an empty string is no reference at all (its length would otherwise count).
  lengths.forEach((l, i) => {
    if (texts[i] !== "") lengthCounts.set(l, (lengthCounts.get(l) ?? 0) + 1);
  });
  const distinctLengths = [...lengthCounts.keys()].sort((a, b) => a - b);

  let sum = 0;
  texts.forEach((_, i) => {
    const correct = new Array<number>(maxOrder).fill(0);
    const total = new Array<number>(maxOrder).fill(0);
    for (const [g, c] of grams[i]) {
      let order = 0;
      for (let k = g.indexOf(" "); k !== -1; k = g.indexOf(" ", k + 1)) order++;
      total[order] += c;
      const [best, owner, second] = top.get(g) as [number, number, number];
      correct[order] += Math.min(c, owner === i ? second : best);
    }
    // Closest length among the other texts, the shorter one on ties (sacreBLEU's rule).
    let refLen = -1;
    let refDiff = Number.POSITIVE_INFINITY;
    for (const l of distinctLengths) {
      const available = (lengthCounts.get(l) ?? 0) - (l === lengths[i] && texts[i] !== "" ? 1 : 0);
      if (available <= 0) continue;
      const d = Math.abs(l - lengths[i]);
      if (d < refDiff) {
        refDiff = d;
        refLen = l;
      }
    }
    if (refLen === -1) return;
    sum += computeBleu(correct, total, lengths[i], refLen, {
      smoothMethod: "exp",
      effectiveOrder: true,
      maxNgramOrder: maxOrder,
    }).score;
  });
  return sum / texts.length;
}

/**
 * Share of texts that repeat an earlier text of the set once normalized (trimmed, whitespace
 * runs collapsed, lowercased): 0 when all differ, (n - 1) / n when all are the same.
 */
export function duplicateRate(texts: readonly string[]): number {
  if (texts.length === 0) return 0;
  const seen = new Set<string>();
  let duplicates = 0;
  for (const text of texts) {
    const key = pySplit(text.toLowerCase()).join(" ");
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return duplicates / texts.length;
}
