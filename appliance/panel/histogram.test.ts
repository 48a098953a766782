import { describe, expect, it } from "vitest";
import { distributions, histogram, numericFigures } from "./histogram.ts";

describe("numericFigures", () => {
  it("names nested numbers by path and leaves out what has no histogram", () => {
    expect(
      numericFigures({
        flesch: 71.5,
        readability: { grade: 3.2, words: 12, label: "easy" },
        pii: { found: false, entities: [1, 2] },
        perplexity: Number.NaN,
        none: null,
      }),
    ).toEqual({ flesch: 71.5, "readability.grade": 3.2, "readability.words": 12 });
  });

  it("gives nothing for what is not an object", () => {
    expect(numericFigures(null)).toEqual({});
    expect(numericFigures([1, 2])).toEqual({});
    expect(numericFigures(3)).toEqual({});
  });
});

describe("histogram", () => {
  it("spreads values over equal-width bins, the maximum in the last", () => {
    const bins = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
    expect(bins.map((b) => b.count)).toEqual([2, 2, 2, 2, 3]);
    expect(bins[0]).toMatchObject({ lo: 0, hi: 2 });
    expect(bins[4]).toMatchObject({ lo: 8, hi: 10 });
  });

  it("keeps every value: counts add up to the number of values", () => {
    const values = Array.from({ length: 997 }, (_, i) => Math.sin(i) * 37.3);
    const bins = histogram(values, 7);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(997);
    expect(bins[0]?.lo).toBe(Math.min(...values));
    expect(bins.at(-1)?.hi).toBe(Math.max(...values));
  });

  it("gives one bin for a single distinct value and none for no value", () => {
    expect(histogram([4, 4, 4])).toEqual([{ lo: 4, hi: 4, count: 3 }]);
    expect(histogram([])).toEqual([]);
  });
});

describe("distributions", () => {
  it("collects each metric over the samples that have it", () => {
    const found = distributions([{ a: 1, b: 10 }, { a: 3 }, { a: 2, b: 20 }], 2);
    expect(found.map((d) => [d.metric, d.count, d.min, d.max, d.mean])).toEqual([
      ["a", 3, 1, 3, 2],
      ["b", 2, 10, 20, 15],
    ]);
    expect(found[1]?.bins.map((b) => b.count)).toEqual([1, 1]);
  });
});
