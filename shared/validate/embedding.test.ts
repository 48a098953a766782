import { describe, expect, it } from "vitest";
import { cosine, meanPairwiseDistance } from "./embedding.ts";

describe("embedding figures", () => {
  it("cosine: parallel 1, orthogonal 0, opposite −1, scale-free", () => {
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 5])).toBe(0);
    expect(cosine([1, 1], [-1, -1])).toBeCloseTo(-1, 12);
    // 3-4-5: cos = (3·4 + 4·3) / (5 · 5) = 24/25.
    expect(cosine([3, 4], [4, 3])).toBeCloseTo(0.96, 12);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(() => cosine([1], [1, 2])).toThrow(RangeError);
  });

  it("mean pairwise distance: 0 for identical directions, 1 for mutually orthogonal ones", () => {
    expect(
      meanPairwiseDistance([
        [1, 0],
        [2, 0],
        [3, 0],
      ]),
    ).toBeCloseTo(0, 12);
    expect(
      meanPairwiseDistance([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ).toBeCloseTo(1, 12);
    // Pairs: (a,b) 1 − 0.96, (a,c) 1 − 0.8, (b,c) 1 − 0.6 → mean 0.64 / 3.
    expect(
      meanPairwiseDistance([
        [3, 4],
        [4, 3],
        [0, 1],
      ]),
    ).toBeCloseTo((0.04 + 0.2 + 0.4) / 3, 12);
    expect(meanPairwiseDistance([[1, 2]])).toBe(0);
  });
});
