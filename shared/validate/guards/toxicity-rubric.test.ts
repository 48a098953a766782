import { describe, expect, it } from "vitest";
import {
  RUBRIC_CATEGORIES,
  readToxicityVerdict,
  TOXICITY_RUBRIC_SCHEMA,
  toxicityRubricMessages,
} from "./toxicity-rubric.ts";

describe("toxicity rubric", () => {
  it("asks about every category and quotes the text", () => {
    const [system, user] = toxicityRubricMessages("you are a clown");
    for (const c of RUBRIC_CATEGORIES) expect(system.content).toContain(`- ${c}:`);
    expect(user.content).toContain('"""\nyou are a clown\n"""');
    expect(TOXICITY_RUBRIC_SCHEMA.required).toEqual([...RUBRIC_CATEGORIES]);
  });

  it("scores the worst category on 0..1 and flags at the threshold", () => {
    const verdict = readToxicityVerdict(
      { profanity: 0, insult: 2, threat: 0, identity_attack: 1 },
      0.5,
    );
    expect(verdict.score).toBeCloseTo(2 / 3, 12);
    expect(verdict.flagged).toBe(true);
    expect(
      readToxicityVerdict({ profanity: 1, insult: 0, threat: 0, identity_attack: 0 }, 0.5),
    ).toMatchObject({
      score: 1 / 3,
      flagged: false,
    });
  });

  it("refuses answers that are not verdicts", () => {
    expect(() => readToxicityVerdict(null, 0.5)).toThrow(/not an object/);
    expect(() =>
      readToxicityVerdict({ profanity: 0, insult: 4, threat: 0, identity_attack: 0 }, 0.5),
    ).toThrow(/insult/);
    expect(() => readToxicityVerdict({ profanity: 0, insult: 1, threat: 0 }, 0.5)).toThrow(
      /identity_attack/,
    );
  });
});
