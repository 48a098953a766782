/**
 * sacreBLEU's published chrF test vectors (mjpost/sacrebleu, test/test_chrf.py, sacreBLEU 2.x),
 * transcribed with their inputs and options. The suite compares with EPSILON = 1e-4.
 */
import { describe, expect, it } from "vitest";
import { SACREBLEU_VERSION } from "./bleu/sacrebleu.ts";
import { corpusChrf, sentenceChrf } from "./chrf.ts";

const EPSILON = 1e-4;

describe("sacreBLEU chrF (test/test_chrf.py)", () => {
  // test_cases: corpus_chrf(hyps, [refs], char_order=6, word_order=0, beta=3, eps_smoothing=True)
  it.each([
    [["abcdefg"], ["hijklmnop"], 0.0],
    [["a"], ["b"], 0.0],
    [[""], ["b"], 0.0],
    [[""], ["ref"], 0.0],
    [[""], ["reference"], 0.0],
    [["aa"], ["ab"], 8.3333],
    [["a", "b"], ["a", "c"], 8.3333],
    [["a"], ["a"], 16.6667],
    [["a b c"], ["a b c"], 50.0],
    [["a b c"], ["abc"], 50.0],
    [
      [
        " risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
      ],
      [
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .",
      ],
      63.36173,
    ],
    [
      [" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "],
      ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."],
      64.1302698,
    ],
    [
      ["Niemand hat die Absicht, eine Mauer zu errichten"],
      ["Niemand hat die Absicht, eine Mauer zu errichten"],
      100.0,
    ],
  ])("test_chrf %j vs %j", (hyps, refs, expected) => {
    const score = corpusChrf(hyps, [refs], {
      charOrder: 6,
      wordOrder: 0,
      beta: 3,
      epsSmoothing: true,
    });
    expect(Math.abs(score.score - expected)).toBeLessThan(EPSILON);
  });

  // test_cases_effective_order: the same with eps_smoothing=False (sacreBLEU < 2.0 behaviour).
  it.each([
    [["a"], ["a"], 100.0],
    [[""], ["reference"], 0.0],
    [["a b c"], ["a b c"], 100.0],
    [["a b c"], ["abc"], 100.0],
    [[""], ["c"], 0.0],
    [["a", "b"], ["a", "c"], 50.0],
    [["aa"], ["ab"], 25.0],
  ])("test_chrf_eff_order %j vs %j", (hyps, refs, expected) => {
    const score = corpusChrf(hyps, [refs], {
      charOrder: 6,
      wordOrder: 0,
      beta: 3,
      epsSmoothing: false,
    });
    expect(Math.abs(score.score - expected)).toBeLessThan(EPSILON);
  });

  // test_cases_keep_whitespace: remove_whitespace=False.
  it.each([
    [
      ["Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."],
      ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."],
      67.3481606,
    ],
    [
      [
        "risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
      ],
      [
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .",
      ],
      65.2414427,
    ],
  ])("test_chrf_keep_whitespace %j", (hyps, refs, expected) => {
    const score = corpusChrf(hyps, [refs], {
      charOrder: 6,
      wordOrder: 0,
      beta: 3,
      whitespace: true,
    });
    expect(Math.abs(score.score - expected)).toBeLessThan(EPSILON);
  });

  // test_sentence_level_chrf: sentence_chrf(hyp, refs, eps_smoothing=True), default beta 2.
  it.each([
    [
      "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
      ["Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře."],
      39.14078509,
    ],
    [
      "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
      ["A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři."],
      31.22557079,
    ],
    [
      "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
      ["Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."],
      57.15704367,
    ],
  ])("test_chrf_sentence_level %s", (hyp, refs, expected) => {
    expect(Math.abs(sentenceChrf(hyp, refs, { epsSmoothing: true }).score - expected)).toBeLessThan(
      EPSILON,
    );
  });
});

describe("sacreBLEU README (Using SacreBLEU from Python)", () => {
  it("CHRF().corpus_score with two reference streams: chrF2 = 59.73", () => {
    const refs = [
      ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
      ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];
    const hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    expect(corpusChrf(hyps, refs).score.toFixed(2)).toBe("59.73");
  });
});

// chrF++ has no number in sacreBLEU's own unit tests; these are the doctests of the chrF metric of
// huggingface/datasets (metrics/chrf/chrf.py, also huggingface/evaluate), which call sacreBLEU's
// CHRF(...).corpus_score with the references transposed into streams.
describe("sacreBLEU CHRF through huggingface/datasets metrics/chrf/chrf.py doctests", () => {
  const predictions = [
    "The relationship between cats and dogs is not exactly friendly.",
    "a good bookshop is just a genteel black hole that knows how to read.",
  ];
  const references = [
    [
      "The relationship between dogs and cats is not exactly friendly.",
      "A good bookshop is just a genteel Black Hole that knows how to read.",
    ],
  ];

  it.each([
    [{}, 84.64214891738334],
    [{ wordOrder: 2 }, 82.87263732906315],
    [{ wordOrder: 2, lowercase: true }, 92.12853119829202],
  ])("%o", (options, expected) => {
    expect(corpusChrf(predictions, references, options).score).toBeCloseTo(expected, 8);
  });
});

describe("chrF names and signatures", () => {
  it("names chrF and chrF++ as sacreBLEU does", () => {
    expect(sentenceChrf("a b", ["a b"]).name).toBe("chrF2");
    expect(sentenceChrf("a b", ["a b"], { wordOrder: 2 }).name).toBe("chrF2++");
  });

  it("prints sacreBLEU's chrF++ signature", () => {
    expect(sentenceChrf("a b", ["a b"], { wordOrder: 2 }).signature).toBe(
      `nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:${SACREBLEU_VERSION}`,
    );
  });

  it("counts characters as code points, so an astral character is one unigram", () => {
    // With code points the two sides share 1 of 2 unigrams and no bigram; with UTF-16 units
    // the surrogate halves would make them share more.
    const astral = corpusChrf(["\u{1F600}a"], [["\u{1F600}b"]], { charOrder: 1 }).score;
    expect(astral).toBeCloseTo(50, 10);
  });

  it("still counts when the alphabet is too large for numeric n-gram keys", () => {
    // 600 distinct CJK characters: 601^6 exceeds 2^53, so the string-keyed counter runs.
    const many = Array.from({ length: 600 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join("");
    const other = Array.from({ length: 600 }, (_, i) => String.fromCodePoint(0x5e00 + i)).join("");
    expect(sentenceChrf(many, [many]).score).toBe(100);
    expect(sentenceChrf(many, [other]).score).toBe(0);
    expect(sentenceChrf(many, [many.slice(0, 300)]).score).toBeGreaterThan(0);
  });

  it("picks, per segment, the reference with the best F score", () => {
    const one = sentenceChrf("the cat sat", ["a dog ran"], { wordOrder: 2 }).score;
    const best = sentenceChrf("the cat sat", ["a dog ran", "the cat sat"], { wordOrder: 2 }).score;
    expect(one).toBeLessThan(100);
    expect(best).toBe(100);
  });
});
