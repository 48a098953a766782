/**
 * Inter-annotator agreement for human review: Cohen's kappa (plain and weighted), Fleiss'
 * kappa, Krippendorff's alpha (nominal, ordinal, interval, ratio; missing values allowed), and
 * the Pearson / Spearman correlations used to compare automatic metrics with human ratings.
 */

/** A rating: a category name or a number; `null` / `undefined` is a missing rating. */
export type Rating = string | number | null | undefined;

/** Weighting of disagreements in Cohen's kappa. */
export type KappaWeights = "none" | "linear" | "quadratic";

/** Options of {@link cohenKappa}. */
export interface CohenOptions {
  /**
   * `linear` and `quadratic` weigh a disagreement by the distance of the two categories in
   * `categories` order (Cohen 1968); `none` (default) counts every disagreement alike.
   */
  weights?: KappaWeights;
  /** The ordered categories (default: the values seen, numbers ascending, else sorted). */
  categories?: readonly (string | number)[];
}

const present = (r: Rating): r is string | number => r !== null && r !== undefined;

function sortedCategories(values: Iterable<string | number>): (string | number)[] {
  const unique = [...new Set(values)];
  return unique.every((v) => typeof v === "number")
    ? (unique as number[]).sort((a, b) => a - b)
    : unique.sort((a, b) => String(a).localeCompare(String(b)));
}

/**
 * Cohen's kappa of two raters from a k×k confusion matrix (rows: rater A, columns: rater B),
 * κ = 1 − Σ w·observed / Σ w·expected with w the disagreement weights.
 */
export function cohenKappaFromMatrix(matrix: readonly number[][], weights: KappaWeights = "none") {
  const k = matrix.length;
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const rows = matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = matrix[0].map((_, j) => matrix.reduce((a, r) => a + r[j], 0));
  const w = (i: number, j: number) => {
    if (weights === "none") return i === j ? 0 : 1;
    const d = Math.abs(i - j) / Math.max(1, k - 1);
    return weights === "linear" ? d : d * d;
  };
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      observed += (w(i, j) * matrix[i][j]) / total;
      expected += (w(i, j) * rows[i] * cols[j]) / (total * total);
    }
  return expected === 0 ? 1 : 1 - observed / expected;
}

/** Cohen's kappa of two raters' labels for the same items; items either rater left out are skipped. */
export function cohenKappa(a: readonly Rating[], b: readonly Rating[], options: CohenOptions = {}) {
  if (a.length !== b.length) throw new RangeError("both raters must rate the same items");
  const pairs = a.flatMap((x, i) => (present(x) && present(b[i]) ? [[x, b[i]] as const] : []));
  if (pairs.length === 0) throw new RangeError("no item was rated by both raters");
  const categories = options.categories ?? sortedCategories(pairs.flat());
  const index = new Map(categories.map((c, i) => [c, i]));
  const matrix = categories.map(() => categories.map(() => 0));
  for (const [x, y] of pairs) {
    const i = index.get(x as string | number);
    const j = index.get(y as string | number);
    if (i === undefined || j === undefined)
      throw new RangeError(`rating ${String(i === undefined ? x : y)} is not a listed category`);
    matrix[i][j]++;
  }
  return cohenKappaFromMatrix(matrix, options.weights ?? "none");
}

/**
 * Fleiss' kappa (1971) from a subjects × categories table of counts: how many of the n raters
 * put subject i in category j. Every subject must have the same number of ratings.
 */
export function fleissKappa(counts: readonly number[][]): number {
  const subjects = counts.length;
  const raters = counts[0].reduce((a, b) => a + b, 0);
  if (raters < 2) throw new RangeError("Fleiss' kappa needs at least two ratings per subject");
  if (counts.some((row) => row.reduce((a, b) => a + b, 0) !== raters))
    throw new RangeError("every subject must have the same number of ratings");
  let meanAgreement = 0;
  for (const row of counts)
    meanAgreement +=
      (row.reduce((a, n) => a + n * n, 0) - raters) / (raters * (raters - 1)) / subjects;
  let chance = 0;
  for (let j = 0; j < counts[0].length; j++) {
    const p = counts.reduce((a, row) => a + row[j], 0) / (subjects * raters);
    chance += p * p;
  }
  return chance === 1 ? 1 : (meanAgreement - chance) / (1 - chance);
}

/** Levels of measurement of Krippendorff's alpha, each with its difference function. */
export type AlphaLevel = "nominal" | "ordinal" | "interval" | "ratio";

/**
 * Krippendorff's alpha from reliability data: `data[coder][unit]`, missing ratings as null.
 * Built on the coincidence matrix as in Krippendorff, "Computing Krippendorff's
 * Alpha-Reliability" (2011): units with fewer than two ratings are not pairable and drop out;
 * α = 1 − (n − 1) Σ o·δ² / Σ nc·nk·δ².
 */
export function krippendorffAlpha(
  data: readonly (readonly Rating[])[],
  level: AlphaLevel = "nominal",
): number {
  const units = Math.max(...data.map((row) => row.length));
  const values: (string | number)[] = [];
  const perUnit: (string | number)[][] = [];
  for (let u = 0; u < units; u++) {
    const seen = data.map((row) => row[u]).filter(present);
    if (seen.length >= 2) perUnit.push(seen);
    values.push(...seen);
  }
  const categories = sortedCategories(perUnit.flat());
  if (level !== "nominal" && categories.some((c) => typeof c !== "number"))
    throw new TypeError(`${level} alpha needs numeric ratings`);
  const index = new Map(categories.map((c, i) => [c, i]));
  const v = categories.length;
  const coincidence = categories.map(() => new Array<number>(v).fill(0));
  for (const unitValues of perUnit) {
    const m = unitValues.length;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++)
        if (i !== j)
          coincidence[index.get(unitValues[i]) as number][index.get(unitValues[j]) as number] +=
            1 / (m - 1);
  }
  const marginals = coincidence.map((row) => row.reduce((a, b) => a + b, 0));
  const n = marginals.reduce((a, b) => a + b, 0);
  const num = categories as number[];
  const delta2 = (c: number, k: number): number => {
    if (c === k) return 0;
    switch (level) {
      case "nominal":
        return 1;
      case "interval":
        return (num[c] - num[k]) ** 2;
      case "ratio":
        return ((num[c] - num[k]) / (num[c] + num[k])) ** 2;
      case "ordinal": {
        const [lo, hi] = c < k ? [c, k] : [k, c];
        let sum = 0;
        for (let g = lo; g <= hi; g++) sum += marginals[g];
        return (sum - (marginals[lo] + marginals[hi]) / 2) ** 2;
      }
    }
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < v; c++)
    for (let k = 0; k < v; k++) {
      const d = delta2(c, k);
      observed += coincidence[c][k] * d;
      expected += marginals[c] * marginals[k] * d;
    }
  if (expected === 0) return 1;
  return 1 - ((n - 1) * observed) / expected;
}

/** Pearson's product-moment correlation of two equally long samples. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2)
    throw new RangeError("two samples of the same length, at least 2");
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Ranks starting at 1, ties given the mean of the ranks they span. */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let t = i; t <= j; t++) ranks[order[t][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rank correlation: Pearson's r of the average ranks (ties handled). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(averageRanks(x), averageRanks(y));
}
