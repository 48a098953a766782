/**
 * METEOR as NLTK 3.8 computes it (`nltk/translate/meteor_score.py`): unigram alignment in three
 * stages (exact, Porter stem, WordNet synonym), each matching from the last word backwards and
 * taking the first (rightmost) candidate, then F-mean with alpha = 0.9 and a fragmentation
 * penalty gamma * (chunks / matches) ^ beta. NLTK quirks kept on purpose: the synonym stage
 * looks up the *stems* left over by the stem stage, and only single-word lemma names count.
 */
import { createPorterStemmer } from "./stem/porter.ts";
import type { WordNet } from "./wordnet.ts";

/** Options of {@link meteorScore}; defaults are NLTK's. */
export interface MeteorOptions {
  /** Weight of precision against recall in the F-mean (default 0.9). */
  alpha?: number;
  /** Exponent of the fragmentation penalty (default 3). */
  beta?: number;
  /** Weight of the fragmentation penalty (default 0.5). */
  gamma?: number;
  /** Applied to every token first (default: lowercase, as NLTK's `str.lower`). */
  preprocess?: (token: string) => string;
}

type Enum = [index: number, word: string];

const defaultStem = createPorterStemmer();
const lowercase = (token: string) => token.toLowerCase();

/** Per WordNet object: word -> the synonyms NLTK matches against (single-word lemma names). */
const synonymCaches = new WeakMap<WordNet, Map<string, Set<string>>>();

function synonymsOf(wordnet: WordNet, word: string): Set<string> {
  let cache = synonymCaches.get(wordnet);
  if (!cache) {
    cache = new Map();
    synonymCaches.set(wordnet, cache);
  }
  let synonyms = cache.get(word);
  if (!synonyms) {
    synonyms = new Set(wordnet.synsetLemmaNames(word).filter((name) => !name.includes("_")));
    synonyms.add(word);
    if (cache.size >= 200_000) cache.clear();
    cache.set(word, synonyms);
  }
  return synonyms;
}

/** NLTK's `_match_enums`, with a pluggable equality; removes matched words from both lists. */
function matchEnums(
  hyp: Enum[],
  ref: Enum[],
  matches: (h: string, r: string) => boolean,
): [number, number][] {
  const found: [number, number][] = [];
  for (let i = hyp.length - 1; i >= 0; i--) {
    for (let j = ref.length - 1; j >= 0; j--) {
      if (matches(hyp[i][1], ref[j][1])) {
        found.push([hyp[i][0], ref[j][0]]);
        hyp.splice(i, 1);
        ref.splice(j, 1);
        break;
      }
    }
  }
  return found;
}

/** NLTK's `_enum_align_words`: exact, then stem, then WordNet synonyms, sorted by hypothesis index. */
export function alignWords(
  hypothesis: readonly string[],
  reference: readonly string[],
  wordnet: WordNet,
  stem: (word: string) => string = defaultStem,
): [number, number][] {
  let hyp: Enum[] = hypothesis.map((w, i) => [i, w]);
  let ref: Enum[] = reference.map((w, i) => [i, w]);
  const exact = matchEnums(hyp, ref, (h, r) => h === r);
  // The stem stage replaces the words left by their stems, and the synonym stage sees those.
  hyp = hyp.map(([i, w]) => [i, stem(w)]);
  ref = ref.map(([i, w]) => [i, stem(w)]);
  const stemmed = matchEnums(hyp, ref, (h, r) => h === r);
  let synonyms: Set<string> | undefined;
  let synonymsOfWord: string | undefined;
  const synonym = matchEnums(hyp, ref, (h, r) => {
    if (synonymsOfWord !== h) {
      synonyms = synonymsOf(wordnet, h);
      synonymsOfWord = h;
    }
    return synonyms?.has(r) ?? false;
  });
  return [...exact, ...stemmed, ...synonym].sort((a, b) => a[0] - b[0]);
}

/** NLTK's `_count_chunks`: runs of matches adjacent in both hypothesis and reference. */
function countChunks(matches: readonly [number, number][]): number {
  let chunks = 1;
  for (let i = 0; i < matches.length - 1; i++) {
    const adjacent =
      matches[i + 1][0] === matches[i][0] + 1 && matches[i + 1][1] === matches[i][1] + 1;
    if (!adjacent) chunks++;
  }
  return chunks;
}

/** METEOR of a tokenized hypothesis against one tokenized reference (NLTK's `single_meteor_score`). */
export function singleMeteorScore(
  reference: readonly string[],
  hypothesis: readonly string[],
  wordnet: WordNet,
  options: MeteorOptions = {},
): number {
  const { alpha = 0.9, beta = 3, gamma = 0.5, preprocess = lowercase } = options;
  const hyp = hypothesis.map(preprocess);
  const ref = reference.map(preprocess);
  const matches = alignWords(hyp, ref, wordnet);
  const m = matches.length;
  // Where NLTK divides by zero it returns 0.
  if (m === 0 || hyp.length === 0 || ref.length === 0) return 0;
  const precision = m / hyp.length;
  const recall = m / ref.length;
  const fmean = (precision * recall) / (alpha * precision + (1 - alpha) * recall);
  const penalty = gamma * (countChunks(matches) / m) ** beta;
  return (1 - penalty) * fmean;
}

/** METEOR against several references: the best single score (NLTK's `meteor_score`). */
export function meteorScore(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  wordnet: WordNet,
  options: MeteorOptions = {},
): number {
  // NLTK's max() over no references raises; so do we rather than return -Infinity.
  if (references.length === 0) throw new Error("METEOR needs at least one reference");
  let best = Number.NEGATIVE_INFINITY;
  for (const reference of references)
    best = Math.max(best, singleMeteorScore(reference, hypothesis, wordnet, options));
  return best;
}
