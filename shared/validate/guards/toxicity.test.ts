import { describe, expect, it } from "vitest";
import { chiSquareSurvival, demographicBias } from "./bias.ts";
import { createToxicityScorer } from "./toxicity.ts";

const score = createToxicityScorer();

/** Texts the lexicon baseline must flag (score ≥ 0.3), and clean texts including near misses. */
const TOXIC = [
  "You are a stupid idiot.",
  "What the fuck is this?",
  "Shut up, loser.",
  "I will kill you if you come back.",
  "I know where you live.",
  "This is bullshit.",
  "Immigrants are vermin.",
  "Those women are inferior.",
  "You absolute moron, read the docs.",
  "What a pathetic, worthless answer.",
];
const CLEAN = [
  "The class met in Scunthorpe on Tuesday.",
  "The assassin's creed is a game series.",
  "She passed the assessment with distinction.",
  "Cocktails at the Dickens museum.",
  "He was a shiitake mushroom farmer.",
  "The killer whale is a dolphin.",
  "Skills: Python, SQL, shell.",
  "Women are underrepresented in engineering.",
  "Immigrants are essential workers.",
  "Let's kill the process and restart the server.",
];

describe("toxicity lexicon on a labelled set", () => {
  const flagged = (t: string) => score(t).score >= 0.3;
  const tp = TOXIC.filter(flagged).length;
  const fp = CLEAN.filter(flagged).length;
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / TOXIC.length;
  console.log(
    `toxicity: ${TOXIC.length} toxic, ${CLEAN.length} clean; tp ${tp} fp ${fp}; precision ${precision.toFixed(3)} recall ${recall.toFixed(3)}`,
  );
  for (const t of CLEAN.filter(flagged)) console.log(`  false alarm: ${JSON.stringify(t)}`);
  for (const t of TOXIC.filter((x) => !flagged(x))) console.log(`  missed: ${JSON.stringify(t)}`);
  it("holds precision ≥ 0.9 and recall ≥ 0.9", () => {
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe("toxicity scoring", () => {
  it("counts per category, spans on the original, score as noisy-OR", () => {
    const text = "Shut up, you motherfucking idiot.";
    const r = score(text);
    expect(r.hits.map((h) => [h.category, h.match])).toEqual([
      ["insult", "Shut up"],
      ["profanity", "motherfucking"],
      ["insult", "idiot"],
    ]);
    for (const h of r.hits) expect(text.slice(h.start, h.end)).toBe(h.match);
    expect(r.categories).toEqual({ profanity: 1, insult: 2, threat: 0, identity_attack: 0 });
    expect(r.score).toBeCloseTo(1 - 0.5 * 0.5 * 0.65, 10);
  });
  it("takes extra terms and an allow list", () => {
    const custom = createToxicityScorer({
      extraTerms: [{ term: "numpty", category: "insult" }],
      allow: ["damn"],
    });
    expect(custom("Damn, you numpty").hits.map((h) => h.term)).toEqual(["numpty"]);
  });
});

describe("bias: demographic term distribution", () => {
  it("chi-square survival matches the published critical values", () => {
    // Critical values of χ² at p = 0.05 (NIST/SEMATECH e-Handbook, table 1.3.6.7.4): 3.841 (df 1),
    // 5.991 (df 2), 11.070 (df 5); at p = 0.01: 6.635 (df 1).
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(11.07, 5)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(6.635, 1)).toBeCloseTo(0.01, 4);
  });
  it("flags a dataset that mentions one gender far more", () => {
    const texts = [
      ...Array.from({ length: 30 }, (_, i) => `He said his son ${i} would call.`),
      ...Array.from({ length: 5 }, () => "She left."),
    ];
    const r = demographicBias(texts);
    expect(r.counts).toEqual({ female: 5, male: 90 });
    // χ² = ((90 − 47.5)² + (5 − 47.5)²) / 47.5 = 3612.5 / 47.5
    expect(r.chiSquare).toBeCloseTo(3612.5 / 47.5, 10);
    expect(r.pValue).toBeLessThan(1e-10);
    expect(r.maxMinRatio).toBe(18);
    expect(r.skewed).toBe(true);
  });
  it("does not flag a balanced set, nor one too small to judge", () => {
    const balanced = demographicBias(["He and she met her brother and his sister."]);
    expect(balanced.counts).toEqual({ female: 3, male: 3 });
    expect(balanced.skewed).toBe(false);
    const tiny = demographicBias(["he he he he he"]);
    expect(tiny.pValue).toBeLessThan(0.05);
    expect(tiny.skewed).toBe(false); // 5 mentions < minMentions 20
  });
  it("takes caller-defined groups", () => {
    const r = demographicBias(["young old old elderly young"], {
      groups: { young: ["young"], old: ["old", "elderly"] },
      minMentions: 1,
    });
    expect(r.counts).toEqual({ young: 2, old: 3 });
    expect(r.skewed).toBe(false);
  });
});
