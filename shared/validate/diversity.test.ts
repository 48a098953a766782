/**
 * Diversity and readability figures have no single reference tool, so these tests use sets small
 * enough to count by hand (the arithmetic is in the comments), plus consistency with sacreBLEU's
 * sentence BLEU for self-BLEU.
 */
import { describe, expect, it } from "vitest";
import { sentenceBleu } from "./bleu/sacrebleu.ts";
import { distinctN, duplicateRate, ngramEntropy, selfBleu } from "./diversity.ts";
import {
  countSyllables,
  describeDistribution,
  fleschReadingEase,
  lengthStats,
  repetitionRate,
} from "./readability.ts";

describe("diversity", () => {
  it("distinct-n counts distinct over all n-grams of the set", () => {
    // unigrams: a b a c -> 3 distinct of 4; bigrams: "a b", "a c" -> 2 of 2
    expect(distinctN(["a b", "A c"], 1)).toBe(3 / 4);
    expect(distinctN(["a b", "a c"], 2)).toBe(1);
    // 13a tokens: "end." is "end" and "."
    expect(distinctN(["end.", "end."], 1)).toBe(2 / 4);
    expect(distinctN([], 1)).toBe(0);
  });

  it("n-gram entropy is in bits", () => {
    // four equally frequent unigrams: log2(4) = 2 bits; one repeated unigram: 0
    expect(ngramEntropy(["a b c d"], 1)).toBeCloseTo(2, 12);
    expect(ngramEntropy(["a a a"], 1)).toBe(0);
    // a:2, b:1, c:1 -> -(1/2 log2 1/2 + 2 * 1/4 log2 1/4) = 1.5
    expect(ngramEntropy(["a b", "a c"], 1)).toBeCloseTo(1.5, 12);
  });

  it("self-BLEU equals the mean sentence BLEU of each text against all the others", () => {
    const texts = [
      "The cat sat on the mat.",
      "A cat sat on a mat!",
      "The dog lay on the rug.",
      "Dogs and cats, sitting on mats.",
      "the cat sat on the mat .",
      "",
      "on",
    ];
    const expected =
      texts
        .map(
          (t, i) =>
            sentenceBleu(
              t,
              texts.filter((_, j) => j !== i && texts[j] !== ""),
              { lowercase: true },
            ).score,
        )
        .reduce((a, b) => a + b, 0) / texts.length;
    expect(selfBleu(texts)).toBeCloseTo(expected, 10);
    expect(selfBleu(["same text here", "same text here"])).toBeCloseTo(100, 10);
    expect(selfBleu(["only one"])).toBe(0);
  });

  it("duplicate rate counts repeats after trimming, collapsing whitespace and lowercasing", () => {
    expect(duplicateRate(["a b", " A  b ", "c", "a b"])).toBe(2 / 4);
    expect(duplicateRate(["x", "y"])).toBe(0);
    expect(duplicateRate([])).toBe(0);
  });
});

describe("readability", () => {
  it("describes a distribution", () => {
    expect(describeDistribution([4, 1, 3, 2])).toEqual({
      count: 4,
      mean: 2.5,
      stdev: Math.sqrt(1.25),
      min: 1,
      median: 2.5,
      p90: 4,
      max: 4,
    });
    expect(lengthStats(["a b c", "\u{1F600}"]).characters.max).toBe(5);
    expect(lengthStats(["a b c", "\u{1F600}"]).words.min).toBe(1);
  });

  it.each([
    ["the", 1],
    ["cat", 1],
    ["table", 2],
    ["simple", 2],
    ["reading", 2],
    ["hello", 2],
    ["syllable", 3],
    ["hopes", 1],
    ["jumped", 1],
  ])("counts %s as %i syllable(s)", (word, syllables) => {
    expect(countSyllables(word)).toBe(syllables);
  });

  it("Flesch reading ease follows Flesch's formula", () => {
    // 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 * 6 - 84.6 * 1 = 116.145
    const easy = fleschReadingEase("The cat sat on the mat.");
    expect(easy).toMatchObject({ sentences: 1, words: 6, syllables: 6 });
    expect(easy.score).toBeCloseTo(116.145, 10);
    // 2 sentences, 4 words, 7 syllables (hello 2, world 1, simple 2, table 2)
    const two = fleschReadingEase("Hello world! Simple table.");
    expect(two).toMatchObject({ sentences: 2, words: 4, syllables: 7 });
    expect(two.score).toBeCloseTo(206.835 - 1.015 * 2 - 84.6 * (7 / 4), 10);
    expect(fleschReadingEase("").score).toBe(0);
  });

  it("repetition rate is the share of n-grams seen earlier in the same text", () => {
    // the cat and the cat: 5 unigrams, 3 distinct -> 2/5; bigrams: 4, 3 distinct -> 1/4
    expect(repetitionRate("the cat and the cat")).toBeCloseTo(2 / 5, 12);
    expect(repetitionRate("the cat and the cat", 2)).toBeCloseTo(1 / 4, 12);
    expect(repetitionRate("")).toBe(0);
  });
});
