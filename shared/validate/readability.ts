/**
 * Readability and style of texts: length statistics, Flesch reading ease and repetition. These
 * have no single reference implementation (each tool counts syllables its own way), so the
 * heuristics are stated here and the figures are meant for comparing datasets with each other.
 */

import { defaultTokenizer, type Tokenizer } from "./diversity.ts";
import { pySplit, wordNgramCounts } from "./text.ts";

/** Summary of a list of numbers. */
export interface Distribution {
  count: number;
  mean: number;
  /** Population standard deviation. */
  stdev: number;
  min: number;
  median: number;
  /** 90th percentile, nearest rank. */
  p90: number;
  max: number;
}

/** Summarizes `values` (all zeros for an empty list). */
export function describeDistribution(values: readonly number[]): Distribution {
  const count = values.length;
  if (count === 0) return { count: 0, mean: 0, stdev: 0, min: 0, median: 0, p90: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / count;
  const variance = sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / count;
  const middle = Math.floor(count / 2);
  const median = count % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * count) - 1)];
  return {
    count,
    mean,
    stdev: Math.sqrt(variance),
    min: sorted[0],
    median,
    p90,
    max: sorted[count - 1],
  };
}

/** Length statistics of a set: words (whitespace-separated) and characters (code points). */
export function lengthStats(texts: readonly string[]): {
  words: Distribution;
  characters: Distribution;
} {
  return {
    words: describeDistribution(texts.map((t) => pySplit(t).length)),
    characters: describeDistribution(texts.map((t) => Array.from(t).length)),
  };
}

/**
 * Syllables of an English word, by heuristic: lowercase letters only; words of up to 3 letters
 * have one; otherwise drop a final silent "e" / "es" / "ed" (not after "l", as in "table"), drop
 * a leading "y", then count groups of one or two consecutive vowels (a e i o u y); at least one.
 * It is right for most common words and off by one for some ("create" gives 1, "poem" 1).
 */
export function countSyllables(word: string): number {
  let w = word.toLowerCase().replace(/[^a-z]/g, "");
  if (w.length === 0) return 0;
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, (m) => m[0]).replace(/^y/, "");
  const groups = w.match(/[aeiouy]{1,2}/g);
  return Math.max(1, groups ? groups.length : 0);
}

/** Flesch reading ease of a text, with its parts. */
export interface FleschScore {
  /** 206.835 - 1.015 * words/sentences - 84.6 * syllables/words (Flesch 1948). */
  score: number;
  sentences: number;
  words: number;
  syllables: number;
}

/**
 * Flesch reading ease. Sentences end at runs of `.`, `!` or `?` (a text without one is one
 * sentence); words are whitespace-separated pieces holding a letter or digit; syllables are
 * counted by {@link countSyllables}. A text without words scores 0.
 */
export function fleschReadingEase(text: string): FleschScore {
  const sentences = Math.max(1, text.split(/[.!?]+/).filter((s) => /[\p{L}\p{N}]/u.test(s)).length);
  const words = pySplit(text).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const syllables = words.reduce((s, w) => s + Math.max(1, countSyllables(w)), 0);
  if (words.length === 0) return { score: 0, sentences, words: 0, syllables: 0 };
  const score = 206.835 - 1.015 * (words.length / sentences) - 84.6 * (syllables / words.length);
  return { score, sentences, words: words.length, syllables };
}

/**
 * Repetition within one text: the share of its n-grams that repeat an n-gram seen earlier in the
 * same text (1 - distinct / total); 0 for a text with no n-gram.
 */
export function repetitionRate(
  text: string,
  n = 1,
  tokenizer: Tokenizer = defaultTokenizer,
): number {
  const counts = wordNgramCounts(tokenizer(text), n);
  let total = 0;
  for (const c of counts.values()) total += c;
  return total === 0 ? 0 : 1 - counts.size / total;
}
