import { z } from "@hono/zod-openapi";
import { reviewDecisions } from "../../db/schema/review-tasks.ts";

/** Most reviewers one assignment names. */
export const MAX_REVIEWERS = 64;

export const RubricCriterion = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z][\w-]{0,63}$/, "a name of letters, digits, '_' or '-'")
      .openapi({ example: "fluency" }),
    min: z.number().int().default(1),
    max: z.number().int().default(5),
    description: z.string().max(1000).optional(),
  })
  .strict()
  .refine((c) => c.max > c.min, { message: "max must be above min", path: ["max"] })
  .openapi("RubricCriterion");
export type RubricCriterion = z.infer<typeof RubricCriterion>;

export const ReviewAssignRequest = z
  .object({
    /** Appliance user names. */
    reviewers: z.array(z.string().min(1)).min(1).max(MAX_REVIEWERS),
    /** How many of the reviewers see each sample (default: all of them). */
    reviewers_per_sample: z.number().int().min(1).max(MAX_REVIEWERS).optional(),
    /** Samples to review by (row, sample) key (default: every kept sample). */
    samples: z
      .array(z.object({ row: z.number().int().min(0), sample: z.number().int().min(0) }).strict())
      .max(100_000)
      .optional(),
    /** The rubric of the dataset's queue; set once, by its first assignment. */
    rubric: z.array(RubricCriterion).max(16).optional(),
  })
  .strict()
  .openapi("ReviewAssignRequest");

export const ReviewAssignResponse = z
  .object({
    object: z.literal("review.assignment"),
    dataset: z.string(),
    created: z.number().int(),
    existing: z.number().int(),
    rubric: z.array(RubricCriterion),
  })
  .openapi("ReviewAssignResponse");

export const ReviewTask = z
  .object({
    id: z.string(),
    object: z.literal("review.task"),
    dataset: z.string(),
    row: z.number().int(),
    sample: z.number().int(),
    reviewer: z.string(),
    status: z.enum(["pending", "done"]),
    decision: z.enum(reviewDecisions).nullable(),
    ratings: z.record(z.string(), z.number()),
    edited_output: z.string().nullable(),
    comment: z.string().nullable(),
    reviewed_at: z.number().int().nullable(),
    /** The sample as generated, for the reviewer to judge. */
    output: z.string().nullable(),
    variables: z.record(z.string(), z.unknown()),
  })
  .openapi("ReviewTask");
export type ReviewTask = z.infer<typeof ReviewTask>;

export const ReviewTaskList = z
  .object({ object: z.literal("list"), data: z.array(ReviewTask), total: z.number().int() })
  .openapi("ReviewTaskList");

export const ReviewTaskQuery = z.object({
  reviewer: z.string().optional(),
  status: z.enum(["pending", "done"]).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** A verdict: what a reviewer submits for a task. */
export const ReviewVerdictBody = z
  .object({
    /** The user the task is assigned to. */
    reviewer: z.string().min(1),
    decision: z.enum(reviewDecisions),
    /** The corrected output; required with `edit`. */
    edited_output: z.string().max(1_000_000).optional(),
    /** Integer ratings by rubric criterion. */
    ratings: z.record(z.string(), z.number().int()).optional(),
    comment: z.string().max(10_000).optional(),
  })
  .strict()
  .openapi("ReviewVerdict");
export type ReviewVerdictBody = z.infer<typeof ReviewVerdictBody>;

/**
 * One line of a review export / import. Tasks are matched by (row, sample, reviewer), so a file
 * exported from one appliance imports into the same dataset elsewhere; a line with a decision
 * records the verdict, one without leaves (or makes) the task pending.
 */
export const ReviewLine = z
  .object({
    row: z.number().int().min(0),
    sample: z.number().int().min(0),
    reviewer: z.string().min(1),
    decision: z.enum(reviewDecisions).nullish(),
    ratings: z.record(z.string(), z.number().int()).optional(),
    edited_output: z.string().nullish(),
    comment: z.string().nullish(),
    reviewed_at: z.number().int().nullish(),
  })
  // Exports also carry context (id, status, output, variables…), ignored on import.
  .passthrough();
export type ReviewLine = z.infer<typeof ReviewLine>;

export const ReviewImportResponse = z
  .object({
    object: z.literal("review.import"),
    dataset: z.string(),
    lines: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
  })
  .openapi("ReviewImportResponse");

const Agreement = z.object({
  method: z.enum(["cohen", "fleiss"]).nullable(),
  kappa: z.number().nullable(),
  items: z.number().int(),
  raters: z.number().int(),
  alpha: z.number().nullable(),
  alpha_level: z.enum(["nominal", "ordinal"]),
});

export const ReviewSummaryResponse = z
  .object({
    object: z.literal("review.summary"),
    dataset: z.string(),
    tasks: z.object({ pending: z.number().int(), done: z.number().int() }),
    reviewers: z.number().int(),
    items: z.number().int(),
    decisions: z.object({
      accept: z.number().int(),
      reject: z.number().int(),
      edit: z.number().int(),
    }),
    accept_rate: z.number(),
    ratings: z.record(z.string(), z.object({ mean: z.number().nullable(), count: z.number() })),
    agreement: z.object({ decision: Agreement, ratings: z.record(z.string(), Agreement) }),
    correlations: z.record(
      z.string(),
      z.record(
        z.string(),
        z.object({
          pearson: z.number().nullable(),
          spearman: z.number().nullable(),
          items: z.number().int(),
        }),
      ),
    ),
  })
  .openapi("ReviewSummary");
export type ReviewSummaryResponse = z.infer<typeof ReviewSummaryResponse>;
