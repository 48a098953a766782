import { z } from "@hono/zod-openapi";
import { PII_TYPES } from "../../validate/guards/pii/types.ts";

/** Metrics `POST /v1/validate` computes. */
export const VALIDATE_METRICS = [
  "bleu",
  "chrf",
  "rouge",
  "meteor",
  "distinct",
  "readability",
  "pii",
  "injection",
  "toxicity",
  "perplexity",
  "similarity",
  "toxicity_judge",
] as const;
/** One metric name. */
export type ValidateMetric = (typeof VALIDATE_METRICS)[number];

/** Metrics that compare each hypothesis with its references. */
export const REFERENCE_METRICS: readonly ValidateMetric[] = [
  "bleu",
  "chrf",
  "rouge",
  "meteor",
  "similarity",
];

/** Metrics computed with a local model (the appliance only). */
export const MODEL_METRICS: readonly ValidateMetric[] = [
  "perplexity",
  "similarity",
  "toxicity_judge",
];

/** Most texts one request may validate; larger sets go through a dataset job. */
export const MAX_VALIDATE_TEXTS = 1000;
/** Most references per hypothesis. */
export const MAX_REFERENCES = 16;

const Text = z.string().max(100_000);
const Fraction = z.number().min(0).max(1);

export const ValidateOptions = z
  .object({
    bleu: z
      .object({
        tokenize: z.enum(["13a", "intl", "char", "none"]).optional(),
        lowercase: z.boolean().optional(),
        smooth_method: z.enum(["exp", "floor", "add-k", "none"]).optional(),
        smooth_value: z.number().min(0).optional(),
        max_ngram_order: z.number().int().min(1).max(10).optional(),
      })
      .strict()
      .optional(),
    chrf: z
      .object({
        char_order: z.number().int().min(1).max(10).optional(),
        word_order: z.number().int().min(0).max(4).optional(),
        beta: z.number().min(0).optional(),
        lowercase: z.boolean().optional(),
        whitespace: z.boolean().optional(),
        eps_smoothing: z.boolean().optional(),
      })
      .strict()
      .optional(),
    rouge: z
      .object({
        types: z
          .array(z.string().regex(/^rouge(?:[1-9]|L|Lsum)$/, "rouge1..rouge9, rougeL or rougeLsum"))
          .min(1)
          .max(11)
          .optional(),
        use_stemmer: z.boolean().optional(),
      })
      .strict()
      .optional(),
    meteor: z
      .object({
        alpha: Fraction.optional(),
        beta: z.number().min(0).optional(),
        gamma: Fraction.optional(),
      })
      .strict()
      .optional(),
    distinct: z
      .object({ n: z.array(z.number().int().min(1).max(8)).min(1).max(8).optional() })
      .strict()
      .optional(),
    pii: z
      .object({
        types: z.array(z.enum(PII_TYPES)).min(1).optional(),
        default_country: z
          .string()
          .regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code")
          .optional(),
        mask: z.boolean().optional(),
      })
      .strict()
      .optional(),
    injection: z
      .object({ flag_threshold: Fraction.optional(), block_threshold: Fraction.optional() })
      .strict()
      .optional(),
    toxicity: z
      .object({ threshold: Fraction.optional(), allow: z.array(z.string()).max(1000).optional() })
      .strict()
      .optional(),
    perplexity: z
      .object({
        /** A local model (default: the appliance's default model). */
        model: z.string().min(1).optional(),
        /** Also return each token's log-probability. */
        token_logprobs: z.boolean().optional(),
      })
      .strict()
      .optional(),
    similarity: z
      .object({
        /** A local model whose embeddings compare the texts (default: the default model). */
        model: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    toxicity_judge: z
      .object({
        /** The judge model (default: the default model). */
        model: z.string().min(1).optional(),
        /** Flag at this score (the worst category's severity over 3); default 0.5. */
        threshold: Fraction.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("ValidateOptions");
export type ValidateOptions = z.infer<typeof ValidateOptions>;

/** Most samples one dataset validation scores. */
export const MAX_DATASET_SAMPLES = 10_000;

export const ValidateRequest = z
  .object({
    metrics: z.array(z.enum(VALIDATE_METRICS)).min(1),
    hypotheses: z.array(Text).min(1).max(MAX_VALIDATE_TEXTS).optional(),
    /** A finished dataset instead of `hypotheses`: its samples are scored and the run recorded. */
    dataset: z.string().min(1).optional(),
    /** `references[i]` are the references of `hypotheses[i]`. */
    references: z.array(z.array(Text).max(MAX_REFERENCES)).max(MAX_VALIDATE_TEXTS).optional(),
    options: ValidateOptions.optional(),
  })
  .strict()
  .refine((r) => (r.hypotheses === undefined) !== (r.dataset === undefined), {
    message: "give either 'hypotheses' or 'dataset'",
    path: ["hypotheses"],
  })
  .openapi("ValidateRequest", {
    description:
      "Texts to validate, or a `dataset` whose samples are validated and the figures recorded. `references[i]` lists the references of `hypotheses[i]` (needed by bleu, chrf, rouge, meteor and similarity). perplexity, similarity and toxicity_judge run on a local model.",
  });
export type ValidateRequest = z.infer<typeof ValidateRequest>;

const Figures = z.record(z.string(), z.unknown());

/**
 * A comparison job's dataset: each model's sample count and corpus / set figures of its samples
 * alone, by the model's name as the job asked for it (`llama@1`), for a side-by-side report.
 */
const ByModel = z
  .record(
    z.string(),
    z.object({ samples: z.number().int(), aggregate: z.record(z.string(), Figures) }),
  )
  .openapi("ValidationByModel");

export const ValidateResponse = z
  .object({
    object: z.literal("validation"),
    metrics: z.array(z.enum(VALIDATE_METRICS)),
    count: z.number().int(),
    /** With `dataset`: the recorded run. */
    run: z.string().optional(),
    dataset: z.string().optional(),
    /** Per hypothesis (or sample, with its row and sample index), in order. */
    results: z.array(z.object({ index: z.number().int() }).catchall(z.unknown())),
    /** Corpus / set figures per metric. */
    aggregate: z.record(z.string(), Figures),
    /** With the `dataset` of a job on several models: the figures of each. */
    by_model: ByModel.optional(),
  })
  .openapi("ValidateResponse");
export type ValidateResponse = z.infer<typeof ValidateResponse>;

export const ValidationRun = z
  .object({
    id: z.string(),
    object: z.literal("validation.run"),
    dataset: z.string(),
    metrics: z.array(z.string()),
    samples: z.number().int(),
    aggregate: z.record(z.string(), Figures),
    /** The figures of each model of a job on several models; null for one model. */
    by_model: ByModel.nullable(),
    created_at: z.number().int(),
    /** Per sample, in key order (the run's own route only). */
    results: z
      .array(z.object({ row: z.number().int(), sample: z.number().int() }).catchall(z.unknown()))
      .optional(),
  })
  .openapi("ValidationRun");
export type ValidationRun = z.infer<typeof ValidationRun>;

export const ValidationRunList = z
  .object({ object: z.literal("list"), data: z.array(ValidationRun) })
  .openapi("ValidationRunList");
