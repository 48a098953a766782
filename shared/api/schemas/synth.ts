import { z } from "@hono/zod-openapi";
import { GeneratedColumn } from "../../synth/columns.ts";
import { GenerationParams } from "../../synth/params.ts";
import { PostStep } from "../../synth/postprocess.ts";
import { Sampler } from "../../synth/samplers.ts";
import { TemplateVariant } from "../../synth/variants.ts";
import { ModelName } from "./common.ts";

const Name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "use letters, digits, '.', '_' or '-' (at most 128, starting with a letter or digit)",
  );
const Variables = z.record(z.string(), z.unknown());

export const TemplateCreate = z
  .object({
    name: Name,
    system: z.string().max(100_000).nullish(),
    prompt: z.string().min(1).max(100_000),
    output_schema: z.record(z.string(), z.unknown()).nullish(),
    params: GenerationParams.optional(),
    /** A/B variants: each sample draws one by weight and records its name. */
    variants: z.array(TemplateVariant).min(2).max(16).optional(),
    /**
     * Generated columns: prompts whose outputs later prompts read as `{{ columns.<name> }}`,
     * made per sample in dependency order; each sample records every column's value.
     */
    columns: z.array(GeneratedColumn).min(1).max(32).optional(),
  })
  .openapi("TemplateCreate");
export type TemplateCreate = z.infer<typeof TemplateCreate>;

export const Template = z
  .object({
    id: z.string(),
    object: z.literal("template"),
    name: z.string(),
    version: z.number().int(),
    system: z.string().nullable(),
    prompt: z.string(),
    variables: z.array(z.string()),
    output_schema: z.record(z.string(), z.unknown()).nullable(),
    params: z.record(z.string(), z.unknown()),
    variants: z.array(TemplateVariant).nullable(),
    columns: z.array(GeneratedColumn).nullable(),
    created_at: z.number().int(),
  })
  .openapi("Template");
export type Template = z.infer<typeof Template>;

export const TemplateList = z
  .object({ object: z.literal("list"), data: z.array(Template) })
  .openapi("TemplateList");

export const TemplatePreviewRequest = z
  .object({
    version: z.number().int().min(1).optional(),
    rows: z.array(Variables).max(100).optional(),
    count: z.number().int().min(1).max(100).optional(),
    samplers: z.record(z.string(), Sampler).optional(),
    seed: z.number().int().optional(),
  })
  .openapi("TemplatePreviewRequest");

export const TemplatePreview = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        row: z.number().int(),
        variant: z.string().nullable(),
        variables: Variables,
        /**
         * Each generated column's prompt, in generation order; the outputs it reads are shown as
         * `[column: <name>]` since a preview generates nothing.
         */
        columns: z
          .record(z.string(), z.array(z.object({ role: z.string(), content: z.string() })))
          .optional(),
        messages: z.array(z.object({ role: z.string(), content: z.string() })),
      }),
    ),
  })
  .openapi("TemplatePreview");

export const JobCreate = z
  .object({
    template: Name,
    template_version: z.number().int().min(1).optional(),
    model: ModelName.optional(),
    /**
     * A comparison, instead of `model`: every sample is generated on each of these models with
     * the same inputs and seed, so their outputs are paired (`samples_per_row` × k samples a row).
     */
    models: z.array(ModelName).min(2).max(4).optional(),
    rows: z.array(Variables).max(100_000).optional(),
    /** An uploaded seed set (`POST /v1/seed-rows`), instead of inline `rows`. */
    seed_set: z.string().min(1).optional(),
    /** Rows of no variables (samplers only), when `rows` is not given. */
    row_count: z.number().int().min(1).max(1_000_000).optional(),
    samples_per_row: z.number().int().min(1).max(1000).default(1),
    samplers: z.record(z.string(), Sampler).default({}),
    params: GenerationParams.optional(),
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Post-processing after generation: dedup, filters, judge; each sample records its fate. */
    steps: z.array(PostStep).max(16).default([]),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .refine(
    (job) => [job.rows, job.row_count, job.seed_set].filter((v) => v !== undefined).length === 1,
    {
      message: "give exactly one of rows, row_count or seed_set",
      path: ["rows"],
    },
  )
  .refine((job) => (job.model === undefined) !== (job.models === undefined), {
    message: "give exactly one of model or models",
    path: ["model"],
  })
  .refine((job) => !job.models || new Set(job.models).size === job.models.length, {
    message: "models must be distinct",
    path: ["models"],
  })
  .openapi("JobCreate");
export type JobCreate = z.infer<typeof JobCreate>;

export const JobProgressSchema = z.object({
  done: z.number().int(),
  ok: z.number().int(),
  failed: z.number().int(),
  /** After post-processing: samples kept in the dataset and dropped by a step. */
  kept: z.number().int().nullable(),
  dropped: z.number().int().nullable(),
  completion_tokens: z.number().int(),
  rate: z.number(),
  eta_seconds: z.number().nullable(),
});

export const Job = z
  .object({
    id: z.string(),
    object: z.literal("job"),
    status: z.enum(["queued", "running", "paused", "done", "failed", "cancelled"]),
    template: z.object({ name: z.string(), version: z.number().int() }),
    /** The model asked for (a comparison: the first of `models`). */
    model: z.string(),
    /**
     * The version the job's model was pinned to at creation (its samples are all made by that
     * file), and its sha256: null on the edge, for a split name (each sample records the version
     * drawn) and for a comparison (see `models`).
     */
    model_version: z.number().int().nullable(),
    model_sha256: z.string().nullable(),
    /** A comparison's models, in order (sample key s of a row is made by the s % k-th); else null. */
    models: z
      .array(
        z.object({
          name: z.string(),
          model_version: z.number().int().nullable(),
          model_sha256: z.string().nullable(),
        }),
      )
      .nullable(),
    total: z.number().int(),
    rows: z.number().int(),
    /** Samples per row on each model (a comparison makes k times as many). */
    samples_per_row: z.number().int(),
    concurrency: z.number().int(),
    seed: z.number().int(),
    progress: JobProgressSchema,
    error: z.string().nullable(),
    created_at: z.number().int(),
    started_at: z.number().int().nullable(),
    finished_at: z.number().int().nullable(),
  })
  .openapi("Job");
export type Job = z.infer<typeof Job>;

export const JobList = z
  .object({ object: z.literal("list"), data: z.array(Job) })
  .openapi("JobList");

export const Sample = z
  .object({
    row: z.number().int(),
    sample: z.number().int(),
    status: z.enum(["ok", "failed"]),
    variant: z.string().nullable(),
    kept: z.boolean().nullable(),
    decision: z
      .object({
        step: z.number().int().nullable(),
        type: z.string().nullable(),
        reason: z.string().nullable(),
        scores: z.record(z.string(), z.number()),
      })
      .nullable(),
    variables: Variables,
    /** Generated columns in generation order: each value and the prompt that produced it. */
    columns: z
      .record(
        z.string(),
        z.object({
          value: z.string(),
          messages: z.array(z.object({ role: z.string(), content: z.string() })),
        }),
      )
      .nullable(),
    output: z.string().nullable(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    completion_tokens: z.number().int(),
    /** The model that produced the output (as it answered), or null where not known. */
    model: z.string().nullable(),
    /** The version of that model, on the appliance; null elsewhere. */
    model_version: z.number().int().nullable(),
    /** The sha256 of that model's file, on the appliance; null elsewhere. */
    model_sha256: z.string().nullable(),
  })
  .openapi("Sample");

export const SampleList = z
  .object({ object: z.literal("list"), data: z.array(Sample), has_more: z.boolean() })
  .openapi("SampleList");

export const SampleQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.enum(["ok", "failed"]).optional(),
  kept: z.enum(["true", "false"]).optional(),
});

export const Dataset = z
  .object({
    id: z.string(),
    object: z.literal("dataset"),
    job: z.string(),
    template: z.object({ name: z.string(), version: z.number().int() }),
    model: z.string(),
    samples: z.number().int(),
    kept: z.number().int(),
    created_at: z.number().int(),
  })
  .openapi("Dataset");
export type Dataset = z.infer<typeof Dataset>;

export const DatasetList = z
  .object({ object: z.literal("list"), data: z.array(Dataset) })
  .openapi("DatasetList");

export const ExportQuery = z.object({
  format: z.enum(["jsonl", "csv", "chat", "parquet"]).default("jsonl"),
  /** `kept` (default): what post-processing kept; `all`: every generated sample. */
  include: z.enum(["kept", "all"]).default("kept"),
});

export const JobEstimate = z
  .object({
    object: z.literal("job_estimate"),
    model: z.string(),
    samples: z.number().int(),
    /** Prompt tokens of all samples; measured on up to 200 rendered prompts and scaled. */
    prompt_tokens: z.number().int(),
    prompt_tokens_exact: z.boolean(),
    /** The most output the job can produce (samples × max_tokens). */
    max_completion_tokens: z.number().int(),
    /** Recent aggregate throughput of the model, or null before it generated anything. */
    tokens_per_second: z.number().nullable(),
    /** Upper bound of the generation time at that throughput, or null when unknown. */
    max_seconds: z.number().nullable(),
    /**
     * Upper bound of the job's cost in USD at the model's prices (for an alias, its dearest
     * target): null where a target has no price, and on the appliance (no money per token).
     */
    max_cost_usd: z.number().nullable(),
  })
  .openapi("JobEstimate");

export const SeedSetSchema = z
  .object({
    id: z.string(),
    object: z.literal("seed_set"),
    name: z.string(),
    format: z.enum(["jsonl", "csv"]),
    rows: z.number().int(),
    columns: z.array(z.string()),
    created_at: z.number().int(),
  })
  .openapi("SeedSet");

export const SeedUploadQuery = z.object({
  name: z.string().min(1).max(128),
  format: z.enum(["jsonl", "csv"]).optional(),
});
