/**
 * Seeded random hypothesis / reference pairs for the differential tests and the benchmark. The
 * references are edits of the hypothesis (kept words, swapped synonyms, other inflections,
 * dropped and inserted words), so that every metric stage sees partial matches, not only
 * all-or-nothing ones; some pairs are empty or very short to reach the edge cases.
 */

/** A tokenized hypothesis and its tokenized references. */
export interface TokenPair {
  hypothesis: string[];
  references: string[][];
}

/** mulberry32: a small, well-mixed 32-bit PRNG, so that a seed always gives the same data. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Words related by WordNet synonymy or by inflection, so METEOR's stem and synonym stages fire.
const RELATED: readonly string[][] = [
  ["big", "large", "huge", "bigger", "largest"],
  ["fast", "quick", "speedy", "quickly", "faster"],
  ["car", "automobile", "auto", "cars", "machine"],
  ["buy", "purchase", "bought", "buying", "buys"],
  ["begin", "start", "commence", "began", "starting", "started"],
  ["run", "runs", "running", "ran", "operate"],
  ["child", "children", "kid", "kids", "youngster"],
  ["goose", "geese", "mouse", "mice", "feet", "foot"],
  ["good", "better", "best", "well", "near"],
  ["happy", "glad", "happier", "felicitous"],
  ["house", "home", "houses", "dwelling", "housing"],
  ["talk", "speak", "talked", "speaking", "spoke", "talks"],
  ["city", "cities", "town", "towns", "metropolis"],
  ["make", "makes", "made", "making", "create", "created"],
  ["study", "studies", "studied", "studying", "survey", "report"],
  ["generalization", "generalizations", "generalize", "general", "generally"],
];

const COMMON = (
  "the a an of to in on at for with by from and or but not is are was were be been have has had " +
  "it this that these those he she they we you i his her their our my its there here what which " +
  "who when where why how all some many few more most other such only own same so than too very " +
  "can will just should now model data text sample quality metric score reference hypothesis " +
  "system output test set value result water time people year way day man woman world life hand " +
  "part place case week company number group problem fact"
).split(" ");

const PUNCTUATION = [".", ",", "?", "!", ";", "'s", "--"];

// Where Python's and JavaScript's lowercasing or string indexing could part ways.
const NON_ASCII = [
  "café",
  "Naïve",
  "STRASSE",
  "Straße",
  "ΣΟΦΟΣ",
  "İstanbul",
  "résumé",
  "\u{1F600}",
  "ﬁne",
];

/** Generates `count` pairs from `seed`, each with one to three references. */
export function generatePairs(count: number, seed: number): TokenPair[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const word = (): string => {
    const r = random();
    if (r < 0.55) return pick(COMMON);
    if (r < 0.88) return pick(pick(RELATED));
    if (r < 0.97) return pick(PUNCTUATION);
    return pick(NON_ASCII);
  };
  const styled = (w: string) => (random() < 0.1 ? w[0].toUpperCase() + w.slice(1) : w);
  const relatedTo = (w: string): string => {
    const group = RELATED.find((g) => g.includes(w.toLowerCase()));
    return group ? pick(group) : word();
  };
  const pairs: TokenPair[] = [];
  for (let i = 0; i < count; i++) {
    const length = random() < 0.05 ? Math.floor(random() * 3) : 3 + Math.floor(random() * 25);
    const hypothesis = Array.from({ length }, () => styled(word()));
    const references: string[][] = [];
    const refCount = 1 + Math.floor(random() * 3);
    for (let r = 0; r < refCount; r++) {
      if (random() < 0.05) {
        references.push(Array.from({ length: Math.floor(random() * 12) }, word));
        continue;
      }
      const ref: string[] = [];
      for (const token of hypothesis) {
        const op = random();
        if (op < 0.6) ref.push(token);
        else if (op < 0.75) ref.push(styled(relatedTo(token)));
        else if (op < 0.85) ref.push(word());
        else if (op < 0.95) continue;
        else ref.push(token, word());
      }
      // Swap two neighbouring stretches now and then, to break chunks apart.
      if (ref.length > 6 && random() < 0.3) {
        const cut = 1 + Math.floor(random() * (ref.length - 2));
        references.push([...ref.slice(cut), ...ref.slice(0, cut)]);
      } else {
        references.push(ref);
      }
    }
    pairs.push({ hypothesis, references });
  }
  return pairs;
}
