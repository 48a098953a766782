import { describe, expect, it } from "vitest";
import { exactDuplicates, jaccard, minHash, nearDuplicates, shingles } from "./dedup.ts";

describe("dedup", () => {
  it("finds exact duplicates up to case and whitespace, keeping the first", () => {
    expect(exactDuplicates(["A cat.", "a  CAT.", "a dog.", " a cat. "])).toEqual([-1, 0, -1, 0]);
  });

  it("MinHash agreement estimates Jaccard similarity", () => {
    const a = shingles(
      "the quick brown fox jumps over the lazy dog near the old river bank today",
      2,
    );
    const b = shingles(
      "the quick brown fox jumps over the lazy cat near the old river bank today",
      2,
    );
    const exact = jaccard(a, b);
    const sa = minHash(a, 256);
    const sb = minHash(b, 256);
    const estimate = sa.filter((v, i) => v === sb[i]).length / 256;
    expect(Math.abs(estimate - exact)).toBeLessThan(0.1);
  });

  it("removes planted near-duplicates and keeps distinct texts", () => {
    const base = [
      "Lily went to the park with her red ball and played with her friend Tom all day long.",
      "The big dog ran across the green field to catch the little bird that sang in the tree.",
      "Sam found a shiny stone by the river and showed it to his mom, who smiled at him.",
      "A small boat sailed on the blue sea while the sun was shining over the quiet town.",
    ];
    const planted = [
      "Lily went to the park with her red ball and played with her friend Tom all day.",
      "The big dog ran across the green field to catch the little bird that sang in a tree.",
    ];
    const texts = [
      ...base,
      ...planted,
      "Completely different words about cooking soup with carrots and beans tonight.",
    ];
    const result = nearDuplicates(texts, { threshold: 0.7, shingleSize: 3 });
    expect(result.slice(0, 4)).toEqual([null, null, null, null]);
    expect(result[4]).toMatchObject({ of: 0 });
    expect(result[5]).toMatchObject({ of: 1 });
    expect(result[6]).toBeNull();
    expect(result[4]?.similarity).toBeGreaterThanOrEqual(0.7);
  });
});
