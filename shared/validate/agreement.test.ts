import { describe, expect, it } from "vitest";
import {
  averageRanks,
  cohenKappa,
  cohenKappaFromMatrix,
  fleissKappa,
  krippendorffAlpha,
  pearson,
  spearman,
} from "./agreement.ts";
import { FLEISS_WIKIPEDIA_TABLE } from "./agreement-examples.ts";

describe("Cohen's kappa", () => {
  it("matches Wikipedia's worked example (50 grant proposals: 20/5/10/15 → κ = 0.4)", () => {
    // Source: Wikipedia, "Cohen's kappa", Examples: p_o = 0.7, p_e = 0.5, κ = 0.4.
    expect(
      cohenKappaFromMatrix([
        [20, 5],
        [10, 15],
      ]),
    ).toBeCloseTo(0.4, 10);
    const a = [...Array(25).fill("yes"), ...Array(25).fill("no")];
    const b = [
      ...Array(20).fill("yes"),
      ...Array(5).fill("no"),
      ...Array(10).fill("yes"),
      ...Array(15).fill("no"),
    ];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 10);
  });
  it("quadratic weighted kappa matches benhamner/Metrics' published test cases", () => {
    // Source: github.com/benhamner/Metrics, Python/ml_metrics/test/test_kappa.py
    // (test_quadratic_weighted_kappa): 1.0, 0.4 and 0.75.
    const q = { weights: "quadratic" } as const;
    expect(cohenKappa([1, 2, 3], [1, 2, 3], q)).toBeCloseTo(1, 10);
    expect(cohenKappa([1, 2, 1], [1, 2, 2], q)).toBeCloseTo(0.4, 10);
    expect(cohenKappa([1, 2, 3, 1, 2, 2, 3], [1, 2, 3, 1, 2, 3, 2], q)).toBeCloseTo(0.75, 10);
  });
  it("weighted kappa equals plain kappa with two categories, and weights order-aware", () => {
    expect(
      cohenKappaFromMatrix(
        [
          [20, 5],
          [10, 15],
        ],
        "linear",
      ),
    ).toBeCloseTo(0.4, 10);
    expect(
      cohenKappaFromMatrix(
        [
          [20, 5],
          [10, 15],
        ],
        "quadratic",
      ),
    ).toBeCloseTo(0.4, 10);
    // Near-miss disagreements (off by one) cost less than far ones under linear weights.
    const near = cohenKappa([1, 2, 3, 1, 2, 3], [2, 2, 3, 1, 3, 3], { weights: "linear" });
    const far = cohenKappa([1, 2, 3, 1, 2, 3], [3, 2, 3, 1, 1, 3], { weights: "linear" });
    expect(near).toBeGreaterThan(far);
  });
  it("skips missing ratings and rejects unlisted categories", () => {
    expect(cohenKappa(["a", null, "b"], ["a", "b", "b"])).toBe(1);
    expect(() => cohenKappa(["a"], ["z"], { categories: ["a", "b"] })).toThrow(/not a listed/);
  });
});

describe("Fleiss' kappa", () => {
  it("matches Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories → 0.210", () => {
    // Source: Wikipedia, "Fleiss' kappa", Worked example (P̄ = 0.378, P̄e = 0.213, κ = 0.210).
    const table = FLEISS_WIKIPEDIA_TABLE;
    expect(fleissKappa(table)).toBeCloseTo(0.21, 3);
  });
  it("rejects subjects with unequal numbers of ratings", () => {
    expect(() =>
      fleissKappa([
        [1, 1],
        [2, 1],
      ]),
    ).toThrow(/same number/);
  });
});

describe("Krippendorff's alpha", () => {
  // Source: Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the example of
  // 4 observers, 12 units, values 1–5 with missing data (section C); published results:
  // nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797. The same matrix is the "C" data
  // in the examples of R's irr::kripp.alpha / DescTools::KrippAlpha.
  const _ = null;
  const data = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ];
  it.each([
    ["nominal", 0.743],
    ["ordinal", 0.815],
    ["interval", 0.849],
    ["ratio", 0.797],
  ] as const)("%s alpha = %s", (level, expected) => {
    expect(krippendorffAlpha(data, level)).toBeCloseTo(expected, 3);
  });
  it("2011's binary example of two observers, ten units → 0.095", () => {
    // Source: same paper, section A (binary data, two observers, no missing data): α = 0.095.
    const binary = [
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ];
    expect(krippendorffAlpha(binary, "nominal")).toBeCloseTo(0.095, 3);
  });
  it("needs numbers beyond nominal", () => {
    expect(() =>
      krippendorffAlpha(
        [
          ["a", "b"],
          ["a", "b"],
        ],
        "interval",
      ),
    ).toThrow(/numeric/);
  });
});

describe("correlation with human ratings", () => {
  it("Spearman matches Wikipedia's IQ vs. hours of TV example (ρ = −29/165 ≈ −0.1758)", () => {
    // Source: Wikipedia, "Spearman's rank correlation coefficient", Example.
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
    expect(spearman(iq, tv)).toBeCloseTo(-29 / 165, 10);
  });
  it("Pearson matches Anscombe's quartet, set I (r = 0.816)", () => {
    // Source: Anscombe (1973), "Graphs in Statistical Analysis": every set has r = 0.816.
    const x = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
    const y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
    expect(pearson(x, y)).toBeCloseTo(0.816, 3);
  });
  it("ties get average ranks", () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
  });
});
