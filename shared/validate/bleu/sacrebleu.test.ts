/**
 * sacreBLEU's published test vectors, transcribed from its own test suite (mjpost/sacrebleu,
 * test/test_bleu.py and test/test_sentence_bleu.py, sacreBLEU 2.x). The expected numbers are
 * theirs; nothing here was computed by this code.
 */
import { describe, expect, it } from "vitest";
import {
  type BleuSmoothMethod,
  computeBleu,
  corpusBleu,
  SACREBLEU_VERSION,
  sentenceBleu,
} from "./sacrebleu.ts";
import type { BleuTokenizerName } from "./tokenizers.ts";

// test_bleu.py: the README example, two reference streams.
const REFS = [
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
];
const HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

/** sacreBLEU's `raw_corpus_bleu`: no tokenization, floor smoothing, effective order. */
const rawCorpusBleu = (hyps: string[], refs: string[][], smoothValue = 0.1) =>
  corpusBleu(hyps, refs, {
    smoothMethod: "floor",
    smoothValue,
    tokenize: "none",
    effectiveOrder: true,
  });

describe("sacreBLEU corpus BLEU (test/test_bleu.py)", () => {
  it.each([
    [{}, 48.530827],
    [{ tokenize: "none" as const }, 49.1919566],
    [{ tokenize: "13a" as const }, 48.530827],
    [{ tokenize: "intl" as const }, 43.91623493],
    [{ smoothMethod: "none" as const }, 48.530827],
  ])("test_corpus_bleu %o", (options, expected) => {
    expect(corpusBleu(HYPS, REFS, options).score).toBeCloseTo(expected, 6);
  });

  it("does not drop empty hypotheses (test_corpus_bleu)", () => {
    expect(corpusBleu(["", "", ""], REFS).score).toBe(0);
  });

  it.each([
    [["this is a test", "another test"], [["ref1", "ref2"]], 0.0],
    [["this is a test"], [["this is a test"]], 1.0],
    [["this is a fest"], [["this is a test"]], 0.223606797749979],
  ])("test_raw_bleu %j", (hyps, refs, expected) => {
    expect(rawCorpusBleu(hyps, refs, 0.01).score / 100).toBeCloseTo(expected, 8);
  });

  it.each([
    [["test"], [["a test"]], 0.3678794411714425],
    [["a test"], [["a test"]], 1.0],
    [["a little test"], [["a test"]], 0.03218297948685433],
  ])("test_effective_order %j", (hyps, refs, expected) => {
    expect(rawCorpusBleu(hyps, refs, 0.01).score / 100).toBeCloseTo(expected, 8);
  });

  it("test_statistics", () => {
    const result = rawCorpusBleu(
      ["am I am a character sequence"],
      [["I am a symbol string sequence a a"]],
      0.01,
    );
    expect(result.counts).toEqual([4, 2, 1, 0]);
    expect(result.totals).toEqual([6, 5, 4, 3]);
  });

  it("test_scoring", () => {
    expect(computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100).toBeCloseTo(
      0.8375922397,
      8,
    );
  });

  it("test_offset", () => {
    const hyp = ["am I am a character sequence"];
    const ref = [["I am a symbol string sequence a a"]];
    expect(rawCorpusBleu(hyp, ref, 0).score / 100).toBeCloseTo(0, 8);
    expect(rawCorpusBleu(hyp, ref).score / 100).toBeCloseTo(0.1555722182, 8);
  });

  it.each([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])(
    "test_degenerate_statistics %j %j %i %i floor %f",
    (correct, total, sysLen, refLen, offset) => {
      const score = computeBleu(correct, total, sysLen, refLen, {
        smoothMethod: "floor",
        smoothValue: offset,
      });
      expect(score.score / 100).toBe(0);
    },
  );

  it.each([
    [1, "77.65"],
    [2, "60.50"],
    [3, "53.93"],
    [4, "48.53"],
    [5, "46.14"],
    [6, "43.28"],
  ])("test_max_ngram_order %i", (order, expected) => {
    expect(corpusBleu(HYPS, REFS, { maxNgramOrder: order }).score.toFixed(2)).toBe(expected);
  });
});

// test_sentence_bleu.py: example from sacreBLEU issue #98.
const REF = "producţia de zahăr brut se exprimă în zahăr alb;";
const SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

describe("sacreBLEU sentence BLEU (test/test_sentence_bleu.py)", () => {
  it.each<[BleuSmoothMethod, number | undefined, boolean, BleuTokenizerName, number]>([
    ["exp", undefined, false, "13a", 8.493],
    ["none", undefined, false, "13a", 0.0],
    ["floor", undefined, false, "13a", 4.51688],
    ["floor", 0.1, false, "13a", 4.51688],
    ["floor", 0.5, false, "13a", 10.1],
    ["add-k", undefined, false, "13a", 14.882],
    ["add-k", 1, false, "13a", 14.882],
    ["add-k", 2, false, "13a", 21.389],
    ["exp", undefined, false, "none", 7.347],
    ["exp", undefined, false, "intl", 8.493],
    ["exp", undefined, false, "char", 40.8759],
    ["exp", undefined, true, "char", 42.0267],
  ])(
    "smooth %s[%s] lowercase %s tok %s",
    (smoothMethod, smoothValue, lowercase, tokenize, expected) => {
      const score = sentenceBleu(SYS, [REF], {
        smoothMethod,
        smoothValue,
        lowercase,
        tokenize,
        effectiveOrder: true,
      });
      // The suite's EPSILON is 1e-3 because its expected values are printed to 3 or 4 decimals.
      expect(Math.abs(score.score - expected)).toBeLessThan(1e-3);
    },
  );

  it.each<[BleuSmoothMethod, number | undefined]>([
    ["exp", undefined],
    ["none", undefined],
    ["floor", undefined],
    ["floor", 0.1],
    ["add-k", undefined],
    ["add-k", 1],
  ])("scores 0 without any match (issue #141), smooth %s[%s]", (smoothMethod, smoothValue) => {
    expect(
      sentenceBleu("this is a cat", ["okay thanks"], { smoothMethod, smoothValue }).score,
    ).toBe(0);
  });
});

// README.md, "Using SacreBLEU from Python" (printed to 2 decimals / 1 for precisions).
describe("sacreBLEU README examples", () => {
  it("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", () => {
    const bleu = corpusBleu(HYPS, REFS);
    expect(bleu.score.toFixed(2)).toBe("48.53");
    expect(bleu.precisions.map((p) => p.toFixed(1))).toEqual(["82.4", "50.0", "45.5", "37.5"]);
    expect(bleu.bp.toFixed(3)).toBe("0.943");
    expect([bleu.sysLen, bleu.refLen]).toEqual([17, 18]);
    expect(bleu.signature).toBe(
      `nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:${SACREBLEU_VERSION}`,
    );
  });

  it("variable references: BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 … hyp_len = 17 ref_len = 19)", () => {
    // The README's listing blanks the first sentence in both streams, but its prose ("remove
    // the first reference sentence for the first system sentence") and its printed output
    // (ref_len = 19 = 7 + 5 + 7) match blanking it in the first stream only; with both blank,
    // sacreBLEU 2.x raises "Empty or `None` reference sentence found", as corpusBleu does.
    const refs = [
      ["", "It was not unexpected.", "The man bit him first."],
      ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];
    const bleu = corpusBleu(HYPS, refs);
    expect(bleu.score.toFixed(2)).toBe("29.44");
    expect(bleu.precisions.map((p) => p.toFixed(1))).toEqual(["82.4", "42.9", "27.3", "12.5"]);
    expect(bleu.bp.toFixed(3)).toBe("0.889");
    expect([bleu.sysLen, bleu.refLen]).toEqual([17, 19]);
    expect(bleu.signature.startsWith("nrefs:var|")).toBe(true);
    expect(() =>
      corpusBleu(HYPS, [
        ["", "a", "b"],
        ["", "c", "d"],
      ]),
    ).toThrow(/Empty or missing reference/);
  });
});

describe("sacreBLEU signature", () => {
  it("matches the README's default signature", () => {
    // README: BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0
    expect(corpusBleu(["a b"], [["a b"]]).signature).toBe(
      `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:${SACREBLEU_VERSION}`,
    );
  });

  it("names lowercase, effective order, tokenizer, smoothing value and reference count", () => {
    const score = corpusBleu(["a b"], [["a b"], ["a c"]], {
      lowercase: true,
      effectiveOrder: true,
      tokenize: "intl",
      smoothMethod: "floor",
    });
    expect(score.signature).toBe(
      `nrefs:2|case:lc|eff:yes|tok:intl|smooth:floor[0.10]|version:${SACREBLEU_VERSION}`,
    );
  });

  it("says var when segments have different numbers of references", () => {
    const score = corpusBleu(
      ["a", "b"],
      [
        ["a", "b"],
        ["a", ""],
      ],
    );
    expect(score.signature.startsWith("nrefs:var|")).toBe(true);
  });
});
