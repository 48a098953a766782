/**
 * Bias as the distribution of demographic terms across a set of texts: how often each group of
 * a dimension (gender, by default) is mentioned, and whether the counts depart from an even
 * split more than chance allows (Pearson's chi-square goodness-of-fit test against uniform).
 */

/** Demographic groups of one dimension: group name → terms (lower case, whole words). */
export type DemographicGroups = Readonly<Record<string, readonly string[]>>;

/** The built-in dimension: gendered words in English. */
export const GENDER_TERMS: DemographicGroups = {
  female: [
    "she",
    "her",
    "hers",
    "herself",
    "woman",
    "women",
    "girl",
    "girls",
    "mother",
    "mothers",
    "daughter",
    "daughters",
    "wife",
    "wives",
    "sister",
    "sisters",
    "aunt",
    "niece",
    "queen",
    "lady",
    "ladies",
    "mrs",
    "ms",
    "grandmother",
    "girlfriend",
  ],
  male: [
    "he",
    "him",
    "his",
    "himself",
    "man",
    "men",
    "boy",
    "boys",
    "father",
    "fathers",
    "son",
    "sons",
    "husband",
    "husbands",
    "brother",
    "brothers",
    "uncle",
    "nephew",
    "king",
    "gentleman",
    "gentlemen",
    "mr",
    "grandfather",
    "boyfriend",
  ],
};

/** Options of {@link demographicBias}. */
export interface BiasOptions {
  /** The groups compared (default {@link GENDER_TERMS}). */
  groups?: DemographicGroups;
  /** Significance level of the chi-square test (default 0.05). */
  alpha?: number;
  /** Fewer mentions than this in all are too few to judge: never flagged (default 20). */
  minMentions?: number;
}

/** The distribution of mentions and the test's verdict. */
export interface BiasResult {
  counts: Record<string, number>;
  /** Share of all mentions per group. */
  shares: Record<string, number>;
  total: number;
  /** Pearson's χ² against equal expected counts, with k − 1 degrees of freedom. */
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** Largest count over smallest (Infinity when a group is never mentioned). */
  maxMinRatio: number;
  /** True when total ≥ minMentions and p < alpha. */
  skewed: boolean;
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), accurate to ~15 digits for x > 0. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(s, x) (Numerical Recipes: series, continued fraction). */
function upperGamma(s: number, x: number): number {
  if (x <= 0) return 1;
  const lead = Math.exp(-x + s * Math.log(x) - logGamma(s));
  if (x < s + 1) {
    let sum = 1 / s;
    let term = sum;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (s + n);
      sum += term;
    }
    return 1 - sum * lead;
  }
  let b = x + 1 - s;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return lead * h;
}

/** P(χ² ≥ x) with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return upperGamma(df / 2, x / 2);
}

/** Counts mentions of each group's terms over the texts and tests the counts for skew. */
export function demographicBias(texts: readonly string[], options: BiasOptions = {}): BiasResult {
  const { groups = GENDER_TERMS, alpha = 0.05, minMentions = 20 } = options;
  const names = Object.keys(groups);
  if (names.length < 2) throw new RangeError("bias needs at least two groups");
  const groupOf = new Map<string, string>();
  for (const name of names) for (const term of groups[name]) groupOf.set(term.toLowerCase(), name);
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const text of texts)
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? []) {
      const group = groupOf.get(word);
      if (group) counts[group]++;
    }
  const total = names.reduce((a, n) => a + counts[n], 0);
  const expected = total / names.length;
  const chiSquare =
    total === 0 ? 0 : names.reduce((a, n) => a + (counts[n] - expected) ** 2 / expected, 0);
  const degreesOfFreedom = names.length - 1;
  const pValue = total === 0 ? 1 : chiSquareSurvival(chiSquare, degreesOfFreedom);
  const values = names.map((n) => counts[n]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return {
    counts,
    shares: Object.fromEntries(names.map((n) => [n, total === 0 ? 0 : counts[n] / total])),
    total,
    chiSquare,
    degreesOfFreedom,
    pValue,
    maxMinRatio: max === 0 ? 1 : min === 0 ? Number.POSITIVE_INFINITY : max / min,
    skewed: total >= minMentions && pValue < alpha,
  };
}
