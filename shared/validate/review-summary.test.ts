import { describe, expect, it } from "vitest";
import { FLEISS_WIKIPEDIA_TABLE } from "./agreement-examples.ts";
import { type ReviewVerdict, summarizeReviews } from "./review-summary.ts";

const verdict = (
  item: number,
  reviewer: string,
  decision: ReviewVerdict["decision"],
  ratings: Record<string, number> = {},
): ReviewVerdict => ({ item, reviewer, decision, ratings });

describe("summarizeReviews", () => {
  it("uses Cohen's kappa for two reviewers: Wikipedia's worked example gives 0.4", () => {
    // Wikipedia, "Cohen's kappa", Simple example: 50 proposals; both yes 20, A yes / B no 5,
    // A no / B yes 10, both no 15 → κ = 0.4. Yes is accept, no is reject.
    const cells: [ReviewVerdict["decision"], ReviewVerdict["decision"], number][] = [
      ["accept", "accept", 20],
      ["accept", "reject", 5],
      ["reject", "accept", 10],
      ["reject", "reject", 15],
    ];
    const verdicts: ReviewVerdict[] = [];
    let item = 0;
    for (const [a, b, n] of cells)
      for (let k = 0; k < n; k++, item++)
        verdicts.push(verdict(item, "A", a), verdict(item, "B", b));
    const summary = summarizeReviews(verdicts, []);
    expect(summary.agreement.decision).toMatchObject({ method: "cohen", items: 50, raters: 2 });
    expect(summary.agreement.decision.kappa).toBeCloseTo(0.4, 10);
    expect(summary.decisions).toEqual({ accept: 55, reject: 45, edit: 0 });
    expect(summary.acceptRate).toBeCloseTo(0.55, 12);
    expect(summary.reviewers).toBe(2);
    expect(summary.items).toBe(50);
  });

  it("uses Fleiss' kappa for more: Wikipedia's 14 raters × 10 subjects give 0.210", () => {
    // Wikipedia, "Fleiss' kappa", Worked example: counts per subject of ratings 1..5.
    const table = FLEISS_WIKIPEDIA_TABLE;
    const verdicts: ReviewVerdict[] = [];
    table.forEach((row, item) => {
      let reviewer = 0;
      row.forEach((count, category) => {
        for (let k = 0; k < count; k++)
          verdicts.push(verdict(item, `r${reviewer++}`, "accept", { quality: category + 1 }));
      });
    });
    const summary = summarizeReviews(verdicts, [{ name: "quality", min: 1, max: 5 }]);
    const quality = summary.agreement.ratings.quality;
    expect(quality).toMatchObject({
      method: "fleiss",
      items: 10,
      raters: 14,
      alphaLevel: "ordinal",
    });
    expect(quality.kappa).toBeCloseTo(0.21, 3);
    expect(summary.ratings.quality.count).toBe(140);
    // Everyone accepted: agreement on the decision is perfect.
    expect(summary.agreement.decision.kappa).toBe(1);
  });

  it("weights rating disagreements quadratically on the rubric's scale for two reviewers", () => {
    const near = summarizeReviews(
      [1, 2, 3, 4].flatMap((i) => [
        verdict(i, "A", "accept", { q: i }),
        verdict(i, "B", "accept", { q: Math.min(5, i + 1) }),
      ]),
      [{ name: "q", min: 1, max: 5 }],
    );
    const far = summarizeReviews(
      [1, 2, 3, 4].flatMap((i) => [
        verdict(i, "A", "accept", { q: i }),
        verdict(i, "B", "accept", { q: 6 - i }),
      ]),
      [{ name: "q", min: 1, max: 5 }],
    );
    expect(near.agreement.ratings.q.kappa as number).toBeGreaterThan(0.5);
    expect(far.agreement.ratings.q.kappa as number).toBeLessThan(0);
  });

  it("has no kappa with one reviewer, and correlates mean ratings with automatic scores", () => {
    const verdicts = [1, 2, 3, 4].map((i) => verdict(i, "solo", "edit", { q: i }));
    const scores = new Map([1, 2, 3, 4].map((i) => [i, { flesch: 10 * i, judge: 5 - i }]));
    const summary = summarizeReviews(verdicts, [{ name: "q", min: 1, max: 5 }], scores);
    expect(summary.agreement.decision).toMatchObject({ method: null, kappa: null, alpha: null });
    expect(summary.correlations.q.flesch).toEqual({ pearson: 1, spearman: 1, items: 4 });
    expect(summary.correlations.q.judge.spearman).toBeCloseTo(-1, 12);
    expect(summary.ratings.q.mean).toBe(2.5);
  });
});
