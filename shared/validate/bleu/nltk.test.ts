/**
 * NLTK 3.8's published BLEU vectors: nltk/test/unit/translate/test_bleu.py, the doctests of
 * nltk/translate/bleu_score.py and nltk/test/bleu.doctest. Doctest values printed with "..." are
 * truncated, so they are compared as prefixes of the printed number.
 */
import { describe, expect, it } from "vitest";
import {
  brevityPenalty,
  closestRefLength,
  modifiedPrecision,
  type NltkSmoothing,
  nltkCorpusBleu,
  nltkCorpusBleuMulti,
  nltkSentenceBleu,
} from "./nltk.ts";

/** A doctest's `0.5045...`: the number starts with these digits. */
function expectEllipsis(actual: number, printed: string) {
  expect(actual.toFixed(16).startsWith(printed)).toBe(true);
}

const split = (s: string) => s.split(" ");
const ratio = (r: { numerator: number; denominator: number }) => r.numerator / r.denominator;

const hypothesis1 = split(
  "It is a guide to action which ensures that the military always obeys the commands of the party",
);
const hypothesis2 = split(
  "It is to insure the troops forever hearing the activity guidebook that party direct",
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
const refs = [reference1, reference2, reference3];
const hyp2b = split("he read the book because he was interested in world history");
const ref2a = split("he was interested in world history because he read the book");

describe("NLTK BLEU (nltk/test/unit/translate/test_bleu.py)", () => {
  it("test_modified_precision", () => {
    const the = split("the the the the the the the");
    const catRefs = [split("the cat is on the mat"), split("there is a cat on the mat")];
    expect(ratio(modifiedPrecision(catRefs, the, 1))).toBeCloseTo(0.28571428, 4);
    expect(ratio(modifiedPrecision(catRefs, the, 2))).toBe(0);
    expect(ratio(modifiedPrecision(refs, split("of the"), 1))).toBe(1);
    expect(ratio(modifiedPrecision(refs, split("of the"), 2))).toBe(1);
    expect(ratio(modifiedPrecision(refs, hypothesis1, 1))).toBeCloseTo(0.94444444, 4);
    expect(ratio(modifiedPrecision(refs, hypothesis2, 1))).toBeCloseTo(0.57142857, 4);
    expect(ratio(modifiedPrecision(refs, hypothesis1, 2))).toBeCloseTo(0.58823529, 4);
    expect(ratio(modifiedPrecision(refs, hypothesis2, 2))).toBeCloseTo(0.07692307, 4);
  });

  it("test_brevity_penalty", () => {
    const a = (n: number) => new Array<string>(n).fill("a");
    expect(brevityPenalty(closestRefLength([a(11), a(8)], 7), 7)).toBeCloseTo(0.8669, 4);
    expect(brevityPenalty(closestRefLength([a(11), a(8), a(6), a(7)], 7), 7)).toBe(1);
  });

  it("test_zero_matches / test_full_matches", () => {
    const none = [split("The candidate has no alignment to any of the references")];
    for (let n = 1; n < 3; n++) {
      const weights = new Array<number>(n).fill(1 / n);
      expect(nltkSentenceBleu(none, split("John loves Mary"), { weights })).toBe(0);
      expect(
        nltkSentenceBleu([split("John loves Mary")], split("John loves Mary"), { weights }),
      ).toBe(1);
    }
  });

  it("test_partial_matches_hypothesis_longer_than_reference", () => {
    expect(
      nltkSentenceBleu([split("John loves Mary")], split("John loves Mary who loves Mike")),
    ).toBeCloseTo(0, 4);
  });

  it("fringe cases: n above the hypothesis length, empty hypothesis or references", () => {
    const weights = [0.25, 0.25, 0.25, 0.25];
    expect(
      nltkSentenceBleu([split("John loves Mary ?")], split("John loves Mary"), { weights }),
    ).toBeCloseTo(0, 4);
    expect(
      nltkSentenceBleu([split("John loves Mary")], split("John loves Mary"), { weights }),
    ).toBeCloseTo(0, 4);
    const none = [split("The candidate has no alignment to any of the references")];
    expect(nltkSentenceBleu(none, [])).toBe(0);
    expect(nltkSentenceBleu([[]], split("John loves Mary"))).toBe(0);
    expect(nltkSentenceBleu([[]], [])).toBe(0);
    expect(nltkSentenceBleu([split("let it go")], split("let go it"))).toBeCloseTo(0, 4);
    // NLTK 3.8 raises (KeyError in modified_precision) without any reference.
    expect(() => nltkSentenceBleu([], split("John loves Mary"))).toThrow();
  });

  it("test_corpus_bleu_with_bad_sentence", () => {
    const hyp = "Teo S yb , oe uNb , R , T t , , t Tue Ar saln S , , 5istsi l , 5oe R ulO sae oR R";
    const ref =
      "Their tasks include changing a pump on the faulty stokehold .Likewise , two species that are very similar in morphology were distinguished using genetics .";
    expect(nltkCorpusBleu([[split(ref)]], [split(hyp)])).toBeCloseTo(0, 4);
  });

  it("test_corpus_bleu_with_multiple_weights", () => {
    const weights = [
      [1, 0, 0, 0],
      [0.25, 0.25, 0.25, 0.25],
      [0, 0, 0, 0, 1],
    ];
    const listOfReferences = [refs, [ref2a]];
    const multi = nltkCorpusBleuMulti(listOfReferences, [hypothesis1, hyp2b], weights);
    weights.forEach((w, i) => {
      expect(multi[i]).toBe(nltkCorpusBleu(listOfReferences, [hypothesis1, hyp2b], { weights: w }));
    });
  });
});

describe("NLTK BLEU (doctests of nltk/translate/bleu_score.py, nltk/test/bleu.doctest)", () => {
  it("sentence_bleu", () => {
    expectEllipsis(nltkSentenceBleu(refs, hypothesis1), "0.5045");
    expect(Number(nltkSentenceBleu(refs, hypothesis2).toFixed(4))).toBe(0);
    expectEllipsis(nltkSentenceBleu(refs, hypothesis2, { smoothing: 1 }), "0.0370");
    expectEllipsis(
      nltkSentenceBleu(refs, hypothesis1, { weights: [0.2, 0.2, 0.2, 0.2, 0.2] }),
      "0.3920",
    );
    const multi = nltkCorpusBleuMulti(
      [refs],
      [hypothesis1],
      [
        [1 / 2, 1 / 2],
        [1 / 3, 1 / 3, 1 / 3],
        [1 / 4, 1 / 4, 1 / 4, 1 / 4],
      ],
    );
    for (const [i, printed] of ["0.7453", "0.6240", "0.5045"].entries())
      expectEllipsis(multi[i], printed);
  });

  it("corpus_bleu", () => {
    const listOfReferences = [refs, [ref2a]];
    const hyps = [hypothesis1, hyp2b];
    expectEllipsis(nltkCorpusBleu(listOfReferences, hyps), "0.5920");
    const mean = (nltkSentenceBleu(refs, hypothesis1) + nltkSentenceBleu([ref2a], hyp2b)) / 2;
    expectEllipsis(mean, "0.6223");
    expectEllipsis(
      nltkCorpusBleu(listOfReferences, hyps, { weights: [0.1, 0.3, 0.5, 0.1] }),
      "0.5818",
    );
    const multi = nltkCorpusBleuMulti(listOfReferences, hyps, [
      [0.5, 0.5],
      [0.333, 0.333, 0.334],
      [0.25, 0.25, 0.25, 0.25],
      [0.2, 0.2, 0.2, 0.2, 0.2],
    ]);
    for (const [i, printed] of ["0.8242", "0.7067", "0.5920", "0.4719"].entries())
      expectEllipsis(multi[i], printed);
  });

  it("brevity_penalty", () => {
    const a = (n: number) => new Array<string>(n).fill("a");
    expect(brevityPenalty(closestRefLength([a(12), a(15), a(17)], 12), 12)).toBe(1);
    expect(brevityPenalty(closestRefLength([a(28), a(28)], 12), 12)).toBeCloseTo(
      0.2635971381157267,
      12,
    );
    expectEllipsis(brevityPenalty(closestRefLength([a(13), a(2)], 12), 12), "0.9200");
    expect(brevityPenalty(closestRefLength([a(13), a(11)], 12), 12)).toBe(1);
    expect(brevityPenalty(closestRefLength([a(11), a(13)], 12), 12)).toBe(1);
    expectEllipsis(brevityPenalty(closestRefLength([a(11), a(8)], 7), 7), "0.8668");
  });

  it.each<[NltkSmoothing, string]>([
    [0, "0.4118"],
    [1, "0.4118"],
    [2, "0.4452"],
    [3, "0.4118"],
    [4, "0.4118"],
    [5, "0.4905"],
    [6, "0.4135"],
    [7, "0.4905"],
  ])("SmoothingFunction().method%i", (smoothing, printed) => {
    expectEllipsis(nltkSentenceBleu([reference1], hypothesis1, { smoothing }), printed);
  });

  it("bleu.doctest: no alignment gives 0, method4 on a short hypothesis gives 4.4267...", () => {
    const none = [split("The candidate has no alignment to any of the references")];
    expect(nltkSentenceBleu(none, split("John loves Mary"), { weights: [1] })).toBe(0);
    const score = nltkSentenceBleu(
      [split("It is a place of quiet contemplation .")],
      split("It is ."),
      {
        smoothing: 4,
      },
    );
    expectEllipsis(score * 100, "4.4267");
  });
});
