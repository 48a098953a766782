/**
 * Metric distributions for the Datasets page: every numeric figure a sample carries (its
 * post-processing scores and its latest validation run's figures) collected by name, and
 * binned into equal-width histograms.
 */

/** One bin: values in `[lo, hi)` (the last bin also holds `hi`). */
export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/** A metric's distribution over the samples that have it. */
export interface Distribution {
  metric: string;
  count: number;
  min: number;
  max: number;
  mean: number;
  bins: Bin[];
}

/**
 * The numeric leaves of a figures object, named by their path (`readability.flesch`).
 * Booleans, strings, arrays and non-finite numbers are left out: they have no histogram.
 */
export function numericFigures(figures: unknown, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof figures !== "object" || figures === null || Array.isArray(figures)) return out;
  for (const [key, value] of Object.entries(figures)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "number") {
      if (Number.isFinite(value)) out[name] = value;
    } else Object.assign(out, numericFigures(value, name));
  }
  return out;
}

/**
 * Equal-width bins from the smallest to the largest value. A metric with a single distinct
 * value gets one bin; an empty list gets none.
 */
export function histogram(values: readonly number[], binCount = 10): Bin[] {
  if (values.length === 0) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return [{ lo: min, hi: max, count: values.length }];
  const width = (max - min) / binCount;
  const bins: Bin[] = Array.from({ length: binCount }, (_, i) => ({
    lo: min + i * width,
    hi: i === binCount - 1 ? max : min + (i + 1) * width,
    count: 0,
  }));
  for (const v of values) {
    const index = Math.min(binCount - 1, Math.floor((v - min) / width));
    (bins[index] as Bin).count++;
  }
  return bins;
}

/** One distribution per metric name found in `perSample`, sorted by name. */
export function distributions(
  perSample: Iterable<Record<string, number>>,
  binCount = 10,
): Distribution[] {
  const byMetric = new Map<string, number[]>();
  for (const figures of perSample)
    for (const [metric, value] of Object.entries(figures)) {
      const list = byMetric.get(metric) ?? [];
      list.push(value);
      byMetric.set(metric, list);
    }
  return [...byMetric.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([metric, values]) => ({
      metric,
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      mean: values.reduce((a, b) => a + b, 0) / values.length,
      bins: histogram(values, binCount),
    }));
}
