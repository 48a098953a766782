/**
 * NLTK's published Porter stemmer tests (nltk/test/unit/test_stem.py, NLTK 3.8) and words from
 * the examples of nltk/stem/porter.py's docstring. The whole-vocabulary comparison with NLTK is
 * in appliance/validate/nltk-differential.test.ts (it needs python3-nltk).
 */
import { describe, expect, it } from "vitest";
import { createPorterStemmer, porterStem } from "./porter.ts";

describe("NLTK PorterStemmer (nltk/test/unit/test_stem.py)", () => {
  it("test_oed_bug: 'oed' stems to 'o'", () => {
    expect(porterStem("oed")).toBe("o");
  });

  it("test_lowercase_option", () => {
    expect(porterStem("On")).toBe("on");
    expect(porterStem("I")).toBe("i");
    expect(porterStem("I", false)).toBe("I");
    expect(porterStem("Github")).toBe("github");
    expect(porterStem("Github", false)).toBe("Github");
  });
});

describe("NLTK_EXTENSIONS departures from the original algorithm", () => {
  it.each([
    ["skies", "sky"],
    ["dying", "die"],
    ["lying", "lie"],
    ["innings", "inning"],
    ["proceed", "proceed"],
    ["news", "news"],
  ])("irregular form %s -> %s (the table in nltk/stem/porter.py)", (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  // Outputs of NLTK 3.8 (Debian's python3-nltk) for these 4-letter `ies`/`ied` words and a short one.
  it.each([
    ["ties", "tie"],
    ["died", "die"],
    ["cried", "cri"],
    ["as", "as"],
    ["y's", "y'"],
  ])("%s -> %s", (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  // Outputs of NLTK 3.8 (Debian's python3-nltk): Python indexes code points, so an astral
  // character is one letter there (here "a😀😀ed" once came out as "a😀😀").
  it.each([
    ["a\u{1F600}\u{1F600}ed", "a\u{1F600}"],
    ["hop\u{1F600}ing", "hop\u{1F600}"],
    ["caf\u{1F600}s", "caf\u{1F600}"],
    ["\u{1D4B6}\u{1D4B7}\u{1D4B8}ing", "\u{1D4B6}\u{1D4B7}\u{1D4B8}ing"],
  ])("astral characters count as one letter: %s -> %s", (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  it("remembers answers without changing them", () => {
    const stem = createPorterStemmer(2);
    for (const word of ["running", "generalizations", "running", "caresses", "running"]) {
      expect(stem(word)).toBe(porterStem(word));
    }
  });
});
