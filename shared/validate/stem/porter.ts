/**
 * NLTK 3.8's `PorterStemmer` in its default `NLTK_EXTENSIONS` mode (`nltk/stem/porter.py`), rule
 * for rule, including NLTK's departures from Porter's paper (irregular forms, `ies`/`ied` on
 * 4-letter words, `y` -> `i` only after a consonant, `alli`, `fulli`, `logi`, and leaving words
 * of 1-2 letters alone). rouge-score and NLTK's METEOR both stem with it, so scores depend on it.
 */

// NLTK_EXTENSIONS' irregular forms, inverted: form -> stem.
const IRREGULAR = new Map<string, string>();
for (const [stem, forms] of Object.entries({
  sky: ["sky", "skies"],
  die: ["dying"],
  lie: ["lying"],
  tie: ["tying"],
  news: ["news"],
  inning: ["innings", "inning"],
  outing: ["outings", "outing"],
  canning: ["cannings", "canning"],
  howe: ["howe"],
  proceed: ["proceed"],
  exceed: ["exceed"],
  succeed: ["succeed"],
})) {
  for (const form of forms) IRREGULAR.set(form, stem);
}

function isConsonant(word: string, i: number): boolean {
  const c = word[i];
  if (c === "a" || c === "e" || c === "i" || c === "o" || c === "u") return false;
  if (c === "y") return i === 0 ? true : !isConsonant(word, i - 1);
  return true;
}

/** Porter's m: the number of vowel-consonant sequences. */
function measure(stem: string): number {
  let m = 0;
  let previousVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const consonant = isConsonant(stem, i);
    if (consonant && previousVowel) m++;
    previousVowel = !consonant;
  }
  return m;
}

const positiveMeasure = (stem: string) => measure(stem) > 0;
const measureAbove1 = (stem: string) => measure(stem) > 1;

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

function endsDoubleConsonant(word: string): boolean {
  const n = word.length;
  return n >= 2 && word[n - 1] === word[n - 2] && isConsonant(word, n - 1);
}

function endsCvc(word: string): boolean {
  const n = word.length;
  return (
    (n >= 3 &&
      isConsonant(word, n - 3) &&
      !isConsonant(word, n - 2) &&
      isConsonant(word, n - 1) &&
      !"wxy".includes(word[n - 1])) ||
    (n === 2 && !isConsonant(word, 0) && isConsonant(word, 1))
  );
}

/** [suffix, replacement, condition on the stem]; suffix `*d` means "ends in a double consonant". */
type Rule = readonly [string, string, ((stem: string) => boolean) | null];

/** NLTK's `_apply_rule_list`: the first rule whose suffix matches decides, whether or not it fires. */
function applyRules(word: string, rules: readonly Rule[]): string {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === "*d" && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
    if (word.endsWith(suffix)) {
      const stem = suffix === "" ? word : word.slice(0, -suffix.length);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

function step1a(word: string): string {
  if (word.endsWith("ies") && word.length === 4) return `${word.slice(0, -3)}ie`;
  return applyRules(word, [
    ["sses", "ss", null],
    ["ies", "i", null],
    ["ss", "ss", null],
    ["s", "", null],
  ]);
}

function step1b(word: string): string {
  if (word.endsWith("ied")) return word.slice(0, -3) + (word.length === 4 ? "ie" : "i");
  if (word.endsWith("eed")) {
    const stem = word.slice(0, -3);
    return measure(stem) > 0 ? `${stem}ee` : word;
  }
  let intermediate: string | undefined;
  for (const suffix of ["ed", "ing"]) {
    if (word.endsWith(suffix)) {
      const candidate = word.slice(0, -suffix.length);
      if (containsVowel(candidate)) {
        intermediate = candidate;
        break;
      }
    }
  }
  if (intermediate === undefined) return word;
  const last = intermediate[intermediate.length - 1];
  return applyRules(intermediate, [
    ["at", "ate", null],
    ["bl", "ble", null],
    ["iz", "ize", null],
    ["*d", last, () => last !== "l" && last !== "s" && last !== "z"],
    ["", "e", (stem) => measure(stem) === 1 && endsCvc(stem)],
  ]);
}

function step1c(word: string): string {
  return applyRules(word, [
    ["y", "i", (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)],
  ]);
}

const STEP2_RULES: readonly Rule[] = [
  ["ational", "ate", positiveMeasure],
  ["tional", "tion", positiveMeasure],
  ["enci", "ence", positiveMeasure],
  ["anci", "ance", positiveMeasure],
  ["izer", "ize", positiveMeasure],
  ["bli", "ble", positiveMeasure],
  ["alli", "al", positiveMeasure],
  ["entli", "ent", positiveMeasure],
  ["eli", "e", positiveMeasure],
  ["ousli", "ous", positiveMeasure],
  ["ization", "ize", positiveMeasure],
  ["ation", "ate", positiveMeasure],
  ["ator", "ate", positiveMeasure],
  ["alism", "al", positiveMeasure],
  ["iveness", "ive", positiveMeasure],
  ["fulness", "ful", positiveMeasure],
  ["ousness", "ous", positiveMeasure],
  ["aliti", "al", positiveMeasure],
  ["iviti", "ive", positiveMeasure],
  ["biliti", "ble", positiveMeasure],
  ["fulli", "ful", positiveMeasure],
];

function step2(word: string): string {
  if (word.endsWith("alli") && positiveMeasure(word.slice(0, -4)))
    return step2(`${word.slice(0, -4)}al`);
  // NLTK's `logi` rule measures the word less "ogi" (keeping the "l"), not the stem.
  return applyRules(word, [
    ...STEP2_RULES,
    ["logi", "log", () => positiveMeasure(word.slice(0, -3))],
  ]);
}

const STEP3_RULES: readonly Rule[] = [
  ["icate", "ic", positiveMeasure],
  ["ative", "", positiveMeasure],
  ["alize", "al", positiveMeasure],
  ["iciti", "ic", positiveMeasure],
  ["ical", "ic", positiveMeasure],
  ["ful", "", positiveMeasure],
  ["ness", "", positiveMeasure],
];

const STEP4_RULES: readonly Rule[] = [
  ["al", "", measureAbove1],
  ["ance", "", measureAbove1],
  ["ence", "", measureAbove1],
  ["er", "", measureAbove1],
  ["ic", "", measureAbove1],
  ["able", "", measureAbove1],
  ["ible", "", measureAbove1],
  ["ant", "", measureAbove1],
  ["ement", "", measureAbove1],
  ["ment", "", measureAbove1],
  ["ent", "", measureAbove1],
  ["ion", "", (stem) => measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))],
  ["ou", "", measureAbove1],
  ["ism", "", measureAbove1],
  ["ate", "", measureAbove1],
  ["iti", "", measureAbove1],
  ["ous", "", measureAbove1],
  ["ive", "", measureAbove1],
  ["ize", "", measureAbove1],
];

function step5a(word: string): string {
  if (!word.endsWith("e")) return word;
  const stem = word.slice(0, -1);
  const m = measure(stem);
  if (m > 1 || (m === 1 && !endsCvc(stem))) return stem;
  return word;
}

function step5b(word: string): string {
  return applyRules(word, [["ll", "l", () => measure(word.slice(0, -1)) > 1]]);
}

/**
 * Stems one word as NLTK's `PorterStemmer().stem(word, to_lowercase)` does (lowercasing it first
 * unless `toLowercase` is false).
 */
export function porterStem(word: string, toLowercase = true): string {
  const lower = toLowercase ? word.toLowerCase() : word;
  // NLTK looks the original word up in its irregular forms, then the length of the original.
  const irregular = IRREGULAR.get(word);
  if (irregular !== undefined) return irregular;
  // Python counts code points; a JavaScript string counts UTF-16 units.
  const astral = /[\ud800-\udfff]/.test(word);
  const length = astral ? Array.from(word).length : word.length;
  if (length <= 2) return lower;
  if (!astral) return stemSteps(lower);
  // The rules index characters; give each astral character (two UTF-16 units) a stand-in of one
  // unit from the Private Use Area for the duration. The rules only test equality and a few
  // ASCII letters, so a stand-in behaves as the character does in Python.
  const toStandIn = new Map<string, string>();
  const fromStandIn = new Map<string, string>();
  let next = 0xe000;
  let mapped = "";
  for (const ch of lower) {
    if (ch.length === 1) {
      mapped += ch;
      continue;
    }
    let standIn = toStandIn.get(ch);
    if (standIn === undefined) {
      while (lower.includes(String.fromCharCode(next))) next++;
      standIn = String.fromCharCode(next++);
      toStandIn.set(ch, standIn);
      fromStandIn.set(standIn, ch);
    }
    mapped += standIn;
  }
  let out = "";
  for (const ch of stemSteps(mapped)) out += fromStandIn.get(ch) ?? ch;
  return out;
}

function stemSteps(word: string): string {
  return step5b(
    step5a(applyRules(applyRules(step2(step1c(step1b(step1a(word)))), STEP3_RULES), STEP4_RULES)),
  );
}

/**
 * A stemmer that remembers its answers: metrics stem the same few thousand words over and over.
 * The memory is bounded by starting afresh after `limit` distinct words.
 */
export function createPorterStemmer(limit = 100_000): (word: string) => string {
  let cache = new Map<string, string>();
  return (word) => {
    let stem = cache.get(word);
    if (stem === undefined) {
      stem = porterStem(word);
      if (cache.size >= limit) cache = new Map();
      cache.set(word, stem);
    }
    return stem;
  };
}
