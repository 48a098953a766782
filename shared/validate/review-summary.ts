/**
 * What a dataset's human review adds up to: how often reviewers accept, reject or edit, the mean
 * rating per rubric criterion, how far reviewers agree (Cohen's kappa for two reviewers, Fleiss'
 * for more, Krippendorff's alpha always), and how automatic metrics track human ratings.
 */
import {
  cohenKappa,
  fleissKappa,
  krippendorffAlpha,
  pearson,
  type Rating,
  spearman,
} from "./agreement.ts";
import { mean } from "./text.ts";

/** One reviewer's verdict on one item (a sample). */
export interface ReviewVerdict {
  item: string | number;
  reviewer: string;
  decision: "accept" | "reject" | "edit";
  ratings: Readonly<Record<string, number>>;
}

/** A rubric criterion: integer ratings from `min` to `max`. */
export interface Criterion {
  name: string;
  min: number;
  max: number;
}

/** Agreement on one label (the decision, or one criterion). */
export interface Agreement {
  /** `cohen` with exactly two reviewers, `fleiss` with more; null when nothing is comparable. */
  method: "cohen" | "fleiss" | null;
  /** Cohen's (quadratic-weighted for ratings) or Fleiss' kappa; null when undefined. */
  kappa: number | null;
  /** Items the kappa is computed on (rated by both reviewers, or by the usual number). */
  items: number;
  /** Reviewers per item in the kappa (2 for Cohen). */
  raters: number;
  /** Krippendorff's alpha over every item with two or more ratings (missing ratings allowed). */
  alpha: number | null;
  alphaLevel: "nominal" | "ordinal";
}

/** Correlation of a criterion's mean human rating with an automatic score, over items. */
export interface Correlation {
  pearson: number | null;
  spearman: number | null;
  items: number;
}

/** The review summary of a dataset. */
export interface ReviewSummary {
  reviewers: number;
  items: number;
  verdicts: number;
  decisions: Record<"accept" | "reject" | "edit", number>;
  /** Share of verdicts that accept the sample as it is. */
  acceptRate: number;
  ratings: Record<string, { mean: number | null; count: number }>;
  agreement: { decision: Agreement; ratings: Record<string, Agreement> };
  /** By criterion, then by automatic score name. */
  correlations: Record<string, Record<string, Correlation>>;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Agreement on one label. `labelOf` gives a verdict's label (undefined when the reviewer gave
 * none, e.g. an unrated criterion). Categories fix Cohen's weights and Fleiss' columns.
 */
function agreementOn(
  verdicts: readonly ReviewVerdict[],
  labelOf: (v: ReviewVerdict) => string | number | undefined,
  categories: readonly (string | number)[],
  ordinal: boolean,
): Agreement {
  const reviewers = [...new Set(verdicts.map((v) => v.reviewer))];
  const items = [...new Set(verdicts.map((v) => v.item))];
  const table = new Map<string | number, Map<string, string | number>>();
  for (const v of verdicts) {
    const label = labelOf(v);
    if (label === undefined) continue;
    if (!table.has(v.item)) table.set(v.item, new Map());
    table.get(v.item)?.set(v.reviewer, label);
  }
  const data: Rating[][] = reviewers.map((r) => items.map((i) => table.get(i)?.get(r)));
  const alphaLevel = ordinal ? "ordinal" : "nominal";
  const pairable = [...table.values()].filter((m) => m.size >= 2).length;
  const alpha = pairable === 0 ? null : finite(krippendorffAlpha(data, alphaLevel));
  const none = { method: null, kappa: null, items: 0, raters: 0, alpha, alphaLevel } as const;
  if (reviewers.length < 2) return none;
  if (reviewers.length === 2) {
    const both = items.filter((_, i) => data[0][i] != null && data[1][i] != null).length;
    if (both === 0) return none;
    const kappa = cohenKappa(data[0], data[1], {
      categories,
      weights: ordinal ? "quadratic" : "none",
    });
    return { method: "cohen", kappa: finite(kappa), items: both, raters: 2, alpha, alphaLevel };
  }
  // Fleiss' kappa needs the same number of ratings per item: use the most common count.
  const sizes = new Map<number, number>();
  for (const m of table.values()) if (m.size >= 2) sizes.set(m.size, (sizes.get(m.size) ?? 0) + 1);
  const [raters] = [...sizes.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [0];
  if (raters < 2) return none;
  const counts = [...table.values()]
    .filter((m) => m.size === raters)
    .map((m) => categories.map((c) => [...m.values()].filter((l) => l === c).length));
  return {
    method: "fleiss",
    kappa: finite(fleissKappa(counts)),
    items: counts.length,
    raters,
    alpha,
    alphaLevel,
  };
}

/**
 * Summarises verdicts. `scores` holds automatic scores per item (e.g. a job's filter and judge
 * scores); each criterion's per-item mean rating is correlated with every score present on at
 * least three rated items.
 */
export function summarizeReviews(
  verdicts: readonly ReviewVerdict[],
  rubric: readonly Criterion[],
  scores: ReadonlyMap<string | number, Readonly<Record<string, number>>> = new Map(),
): ReviewSummary {
  const decisions = { accept: 0, reject: 0, edit: 0 };
  for (const v of verdicts) decisions[v.decision]++;
  const ratings: ReviewSummary["ratings"] = {};
  const ratingAgreement: Record<string, Agreement> = {};
  const correlations: ReviewSummary["correlations"] = {};
  for (const c of rubric) {
    const given = verdicts.filter((v) => v.ratings[c.name] !== undefined);
    ratings[c.name] = {
      mean: given.length ? mean(given.map((v) => v.ratings[c.name])) : null,
      count: given.length,
    };
    const scale = Array.from({ length: c.max - c.min + 1 }, (_, i) => c.min + i);
    ratingAgreement[c.name] = agreementOn(verdicts, (v) => v.ratings[c.name], scale, true);
    correlations[c.name] = correlate(given, c.name, scores);
  }
  return {
    reviewers: new Set(verdicts.map((v) => v.reviewer)).size,
    items: new Set(verdicts.map((v) => v.item)).size,
    verdicts: verdicts.length,
    decisions,
    acceptRate: verdicts.length ? decisions.accept / verdicts.length : 0,
    ratings,
    agreement: {
      decision: agreementOn(verdicts, (v) => v.decision, ["accept", "edit", "reject"], false),
      ratings: ratingAgreement,
    },
    correlations,
  };
}

function correlate(
  rated: readonly ReviewVerdict[],
  criterion: string,
  scores: ReadonlyMap<string | number, Readonly<Record<string, number>>>,
): Record<string, Correlation> {
  const byItem = new Map<string | number, number[]>();
  for (const v of rated) byItem.set(v.item, [...(byItem.get(v.item) ?? []), v.ratings[criterion]]);
  const names = new Set([...byItem.keys()].flatMap((item) => Object.keys(scores.get(item) ?? {})));
  const out: Record<string, Correlation> = {};
  for (const name of names) {
    const pairs = [...byItem.entries()].flatMap(([item, values]) => {
      const score = scores.get(item)?.[name];
      return typeof score === "number" && Number.isFinite(score) ? [[mean(values), score]] : [];
    });
    if (pairs.length < 3) continue;
    const x = pairs.map((p) => p[0]);
    const y = pairs.map((p) => p[1]);
    out[name] = {
      pearson: finite(pearson(x, y)),
      spearman: finite(spearman(x, y)),
      items: pairs.length,
    };
  }
  return out;
}
