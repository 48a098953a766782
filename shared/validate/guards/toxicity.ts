/**
 * Toxicity as a lexicon baseline: a small built-in word list with categories, matched on word
 * boundaries (so "class" is not "ass" and "Scunthorpe" is clean). A baseline to filter the
 * obvious; the appliance's LLM-as-judge rubric is meant for the subtle.
 */

/** Categories of the lexicon. */
export type ToxicityCategory = "profanity" | "insult" | "threat" | "identity_attack";

/** One lexicon entry: a word or phrase; `*` at the end matches any word ending. */
export interface LexiconEntry {
  term: string;
  category: ToxicityCategory;
}

/** Weight of one hit per category, combined by noisy-OR into the score. */
export const CATEGORY_WEIGHTS: Readonly<Record<ToxicityCategory, number>> = {
  profanity: 0.35,
  insult: 0.5,
  threat: 0.8,
  identity_attack: 0.8,
};

const entries = (category: ToxicityCategory, terms: string[]): LexiconEntry[] =>
  terms.map((term) => ({ term, category }));

/** The built-in lexicon (English). Kept free of slurs: identity attacks are caught as phrases. */
export const DEFAULT_LEXICON: readonly LexiconEntry[] = [
  ...entries("profanity", [
    "fuck*",
    "motherfuck*",
    "shit",
    "shitty",
    "bullshit",
    "asshole*",
    "bastard*",
    "bitch*",
    "crap",
    "damn",
    "goddamn",
    "piss off",
    "wtf",
  ]),
  ...entries("insult", [
    "idiot*",
    "idiotic",
    "stupid",
    "moron*",
    "imbecile*",
    "dumb",
    "dumbass",
    "loser*",
    "pathetic",
    "worthless",
    "retard*",
    "scumbag*",
    "shut up",
    "piece of garbage",
    "piece of trash",
  ]),
  ...entries("threat", [
    "i will kill you",
    "i'll kill you",
    "kill yourself",
    "i will hurt you",
    "i'll hurt you",
    "you will die",
    "you're going to die",
    "i know where you live",
    "beat you up",
    "i will find you",
  ]),
];

/** Group nouns that, followed by a dehumanising predicate, make an identity attack. */
const GROUPS =
  "women|men|girls|boys|immigrants|refugees|foreigners|muslims|christians|jews|hindus|buddhists|atheists|blacks|whites|asians|latinos|mexicans|gays|lesbians|trans people|old people|disabled people";
const DEHUMANISING =
  "animals|vermin|subhuman|inferior|parasites|trash|garbage|filth|a disease|rats|cockroaches";
const IDENTITY_ATTACK = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:all\s+|those\s+|these\s+)?(?:${GROUPS})\s+(?:are|r)\s+(?:all\s+|just\s+|nothing but\s+)?(?:${DEHUMANISING})(?![\p{L}\p{N}])`,
  "giu",
);

/** One matched term. */
export interface ToxicityHit {
  term: string;
  category: ToxicityCategory;
  match: string;
  start: number;
  end: number;
}

/** A text's toxicity figures. */
export interface ToxicityResult {
  /** Noisy-OR over hits of the category weights, in [0, 1]. */
  score: number;
  /** Hits per category. */
  categories: Record<ToxicityCategory, number>;
  hits: ToxicityHit[];
}

/** Options of {@link createToxicityScorer}. */
export interface ToxicityOptions {
  /** Replaces the built-in lexicon. */
  lexicon?: readonly LexiconEntry[];
  /** Added to the lexicon. */
  extraTerms?: readonly LexiconEntry[];
  /** Terms never counted (lower case), e.g. "damn" for a dataset of quotations. */
  allow?: readonly string[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Builds a scorer once (the patterns compile once) and returns it. */
export function createToxicityScorer(options: ToxicityOptions = {}) {
  const allow = new Set(options.allow?.map((t) => t.toLowerCase()));
  const lexicon = [...(options.lexicon ?? DEFAULT_LEXICON), ...(options.extraTerms ?? [])].filter(
    (e) => !allow.has(e.term.toLowerCase()),
  );
  const compiled = lexicon.map((entry) => {
    const stem = entry.term.endsWith("*") ? entry.term.slice(0, -1) : entry.term;
    const body = escapeRegExp(stem).replace(/ /g, String.raw`\s+`).replace(/'/g, "['’]");
    const tail = entry.term.endsWith("*") ? String.raw`\p{L}*` : "";
    return {
      entry,
      pattern: new RegExp(`(?<![\\p{L}\\p{N}])${body}${tail}(?![\\p{L}\\p{N}])`, "giu"),
    };
  });
  return function scoreToxicity(text: string): ToxicityResult {
    const hits: ToxicityHit[] = [];
    for (const { entry, pattern } of compiled)
      for (const m of text.matchAll(pattern))
        hits.push({ ...entry, match: m[0], start: m.index, end: m.index + m[0].length });
    if (!allow.has("identity_attack"))
      for (const m of text.matchAll(IDENTITY_ATTACK))
        hits.push({
          term: "identity_attack",
          category: "identity_attack",
          match: m[0],
          start: m.index,
          end: m.index + m[0].length,
        });
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    // A phrase inside a longer one (fuck in motherfucker) is one hit, the longer.
    const kept: ToxicityHit[] = [];
    for (const h of hits) {
      const last = kept.at(-1);
      if (!last || h.start >= last.end) kept.push(h);
    }
    const categories = { profanity: 0, insult: 0, threat: 0, identity_attack: 0 };
    let keep = 1;
    for (const h of kept) {
      categories[h.category]++;
      keep *= 1 - CATEGORY_WEIGHTS[h.category];
    }
    return { score: 1 - keep, categories, hits: kept };
  };
}
