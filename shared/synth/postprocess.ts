/**
 * Post-processing of a job's samples, step by step over the samples still kept: duplicate
 * removal, filters, and LLM-as-judge scoring. Every sample ends with a decision that says which
 * step dropped it and why (or that it was kept), and the scores computed on the way.
 */
import { z } from "zod";
import { distinctN } from "../validate/diversity.ts";
import { fleschReadingEase, repetitionRate } from "../validate/readability.ts";
import { exactDuplicates, nearDuplicates } from "./dedup.ts";

const metricNames = ["flesch", "repetition", "distinct-1", "distinct-2"] as const;

export const PostStep = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("dedup"),
      mode: z.enum(["exact", "near"]).default("near"),
      /** Jaccard similarity of word shingles at or above which a later sample is dropped. */
      threshold: z.number().min(0).max(1).default(0.8),
      shingle_size: z.number().int().min(1).max(10).default(3),
    })
    .strict(),
  z
    .object({
      type: z.literal("filter"),
      min_length: z.number().int().min(0).optional(),
      max_length: z.number().int().min(1).optional(),
      /** Keep only outputs matching this regular expression (JavaScript syntax). */
      regex: z.string().max(1000).optional(),
      /** `keep` (default) keeps matches; `drop` drops them. */
      regex_mode: z.enum(["keep", "drop"]).default("keep"),
      /** Keep only outputs that parse as JSON and satisfy the template's output schema. */
      json: z.boolean().optional(),
      metric: z
        .object({
          name: z.enum(metricNames),
          min: z.number().optional(),
          max: z.number().optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("judge"),
      /** A template rendered with the sample's variables plus `output`; it must yield JSON with a score. */
      template: z.string().min(1),
      template_version: z.number().int().min(1).optional(),
      /** The judge model; the job's model when absent. */
      model: z.string().min(1).optional(),
      threshold: z.number(),
      score_field: z.string().min(1).default("score"),
    })
    .strict(),
]);
export type PostStep = z.infer<typeof PostStep>;

/** A sample going through post-processing. */
export interface Candidate {
  key: string;
  output: string;
  variables: Record<string, unknown>;
  /**
   * Dedup compares a sample only with those of its group (a comparison job's model: one model's
   * output is never dropped as a duplicate of the other's). Absent: one group.
   */
  group?: string;
}

/** What post-processing concluded about a sample. */
export interface Decision {
  kept: boolean;
  /** Index of the step that dropped the sample, or null. */
  step: number | null;
  type: PostStep["type"] | null;
  reason: string | null;
  scores: Record<string, number>;
}

/** What steps need from their runtime. */
export interface PostprocessContext {
  /** Scores a sample with a judge step (a model call). */
  judge?: (
    candidate: Candidate,
    step: Extract<PostStep, { type: "judge" }>,
    index: number,
  ) => Promise<number>;
  /** Checks a parsed JSON output against the template's schema; returns a problem or null. */
  validateJson?: (value: unknown) => string | null;
  signal?: AbortSignal;
}

/** Compiles a filter's regex, or throws with a message naming the problem. */
export function compileFilterRegex(source: string): RegExp {
  return new RegExp(source, "u");
}

function metricValue(name: (typeof metricNames)[number], text: string): number {
  switch (name) {
    case "flesch":
      return fleschReadingEase(text).score;
    case "repetition":
      return repetitionRate(text);
    case "distinct-1":
      return distinctN([text], 1);
    case "distinct-2":
      return distinctN([text], 2);
  }
}

function filterReason(
  step: Extract<PostStep, { type: "filter" }>,
  text: string,
  context: PostprocessContext,
  scores: Record<string, number>,
): string | null {
  const length = [...text].length;
  if (step.min_length !== undefined && length < step.min_length)
    return `length ${length} < ${step.min_length}`;
  if (step.max_length !== undefined && length > step.max_length)
    return `length ${length} > ${step.max_length}`;
  if (step.regex !== undefined) {
    const matches = compileFilterRegex(step.regex).test(text);
    if (step.regex_mode === "keep" && !matches) return `does not match /${step.regex}/`;
    if (step.regex_mode === "drop" && matches) return `matches /${step.regex}/`;
  }
  if (step.json) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return "not valid JSON";
    }
    const problem = context.validateJson?.(value);
    if (problem) return `JSON does not match the schema: ${problem}`;
  }
  if (step.metric) {
    const value = metricValue(step.metric.name, text);
    scores[step.metric.name] = value;
    if (step.metric.min !== undefined && value < step.metric.min)
      return `${step.metric.name} ${value.toFixed(4)} < ${step.metric.min}`;
    if (step.metric.max !== undefined && value > step.metric.max)
      return `${step.metric.name} ${value.toFixed(4)} > ${step.metric.max}`;
  }
  return null;
}

/** Runs the steps in order over the samples (in key order) and returns one decision per sample. */
export async function postprocess(
  candidates: readonly Candidate[],
  steps: readonly PostStep[],
  context: PostprocessContext = {},
): Promise<Decision[]> {
  const decisions: Decision[] = candidates.map(() => ({
    kept: true,
    step: null,
    type: null,
    reason: null,
    scores: {},
  }));
  const drop = (i: number, step: number, reason: string) => {
    decisions[i] = {
      ...(decisions[i] as Decision),
      kept: false,
      step,
      type: steps[step]?.type ?? null,
      reason,
    };
  };
  for (const [index, step] of steps.entries()) {
    context.signal?.throwIfAborted();
    const alive = candidates.map((c, i) => ({ c, i })).filter(({ i }) => decisions[i]?.kept);
    if (step.type === "dedup") {
      const groups = new Map<string | undefined, typeof alive>();
      for (const entry of alive) {
        const members = groups.get(entry.c.group);
        if (members) members.push(entry);
        else groups.set(entry.c.group, [entry]);
      }
      for (const members of groups.values()) {
        const texts = members.map(({ c }) => c.output);
        if (step.mode === "exact") {
          exactDuplicates(texts).forEach((of, j) => {
            if (of >= 0)
              drop(members[j]?.i as number, index, `exact duplicate of ${members[of]?.c.key}`);
          });
        } else {
          nearDuplicates(texts, {
            threshold: step.threshold,
            shingleSize: step.shingle_size,
          }).forEach((hit, j) => {
            if (hit)
              drop(
                members[j]?.i as number,
                index,
                `near-duplicate of ${members[hit.of]?.c.key} (jaccard ${hit.similarity.toFixed(3)})`,
              );
          });
        }
      }
    } else if (step.type === "filter") {
      for (const { c, i } of alive) {
        const reason = filterReason(step, c.output, context, (decisions[i] as Decision).scores);
        if (reason) drop(i, index, reason);
      }
    } else {
      if (!context.judge) throw new Error("a judge step needs a model to call");
      for (const { c, i } of alive) {
        let score: number;
        try {
          score = await context.judge(c, step, index);
        } catch (err) {
          context.signal?.throwIfAborted();
          // One sample the judge cannot score is dropped with the reason; the job goes on.
          drop(i, index, `judge failed: ${(err as Error).message}`);
          continue;
        }
        (decisions[i] as Decision).scores[`judge${index}`] = score;
        if (!(score >= step.threshold)) drop(i, index, `judge score ${score} < ${step.threshold}`);
      }
    }
  }
  return decisions;
}
