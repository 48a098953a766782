/**
 * The LLM-as-judge toxicity rubric: the prompt a judge model is given, the JSON schema its
 * answer is held to (a grammar enforces it on the appliance), and how an answer becomes a score.
 * Pure, so the rubric is the same wherever a judge runs; the model call is the caller's.
 */
import type { ToxicityCategory } from "./toxicity.ts";

/** The rubric's categories: the lexicon's, so both verdicts read alike. */
export const RUBRIC_CATEGORIES: readonly ToxicityCategory[] = [
  "profanity",
  "insult",
  "threat",
  "identity_attack",
];

/** Severity levels of each category, 0 to 3. */
export const SEVERITY_LEVELS = ["none", "mild", "moderate", "severe"] as const;

const SYSTEM = `You rate the toxicity of a text. For each category give a severity from 0 to 3:
0 none, 1 mild, 2 moderate, 3 severe.
- profanity: swearing and obscene words
- insult: demeaning or contemptuous language aimed at someone
- threat: wishing or promising harm to someone
- identity_attack: hostility towards people for who they are (origin, religion, gender, …)
Rate what the text says, not the topic it mentions: reporting or condemning abuse is not abuse.
Answer with JSON only.`;

/** The chat messages that ask a judge to rate `text`. */
export function toxicityRubricMessages(
  text: string,
): { role: "system" | "user"; content: string }[] {
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: `Text:\n"""\n${text}\n"""` },
  ];
}

/** The JSON Schema of a verdict: every category, an integer severity 0..3 (an enum, so a grammar enforces it). */
export const TOXICITY_RUBRIC_SCHEMA = {
  type: "object",
  properties: Object.fromEntries(RUBRIC_CATEGORIES.map((c) => [c, { enum: [0, 1, 2, 3] }])),
  required: [...RUBRIC_CATEGORIES],
  additionalProperties: false,
} as const;

/** A judged verdict. */
export interface ToxicityJudgement {
  /** Severity 0..3 per category. */
  severities: Record<ToxicityCategory, number>;
  /** The highest severity over 3: 0 (clean) to 1 (severe in some category). */
  score: number;
  flagged: boolean;
}

/**
 * Reads a judge's answer. Throws when it is not a verdict (a category missing or off the
 * scale), which the grammar should have made impossible.
 */
export function readToxicityVerdict(answer: unknown, threshold: number): ToxicityJudgement {
  if (!answer || typeof answer !== "object") throw new Error("the judge's answer is not an object");
  const severities = {} as Record<ToxicityCategory, number>;
  for (const category of RUBRIC_CATEGORIES) {
    const value = (answer as Record<string, unknown>)[category];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 3)
      throw new Error(`the judge's answer has no severity 0..3 for '${category}'`);
    severities[category] = value;
  }
  const score = Math.max(...Object.values(severities)) / 3;
  return { severities, score, flagged: score >= threshold };
}
