import { z } from "@hono/zod-openapi";

/** Upper bounds that keep a single request from monopolising a server. */
export const LIMITS = {
  maxChoices: 16,
  maxStopSequences: 4,
  maxStopLength: 256,
  maxTokens: 1_000_000,
} as const;

export const ModelName = z.string().min(1, "model is required").max(256).openapi({
  example: "stories260K",
  description: "A model name, alias, `provider/model` or `site:<site>/<model>`.",
});

export const Temperature = z
  .number()
  .min(0)
  .max(2)
  .nullish()
  .openapi({ description: "Sampling temperature, 0 to 2." });
export const TopP = z
  .number()
  .gt(0)
  .max(1)
  .nullish()
  .openapi({ description: "Nucleus sampling mass, (0, 1]." });
export const MaxTokens = z.number().int().min(1).max(LIMITS.maxTokens).nullish();
export const Choices = z
  .number()
  .int()
  .min(1)
  .max(LIMITS.maxChoices)
  .nullish()
  .openapi({ description: "How many choices to generate." });
export const Seed = z
  .number()
  .int()
  .nullish()
  .openapi({ description: "Same seed and input give the same output when served alone." });
export const Penalty = z.number().min(-2).max(2).nullish();
export const Stop = z
  .union([
    z.string().min(1).max(LIMITS.maxStopLength),
    z.array(z.string().min(1).max(LIMITS.maxStopLength)).max(LIMITS.maxStopSequences),
  ])
  .nullish()
  .openapi({
    description: "Up to 4 sequences where generation stops; they are not part of the output.",
  });
export const StreamOptions = z.object({ include_usage: z.boolean().optional() }).nullish();

export const Usage = z
  .object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
  })
  .openapi("Usage");
export type Usage = z.infer<typeof Usage>;

export const FinishReason = z.enum(["stop", "length", "tool_calls", "content_filter"]);
export type FinishReason = z.infer<typeof FinishReason>;

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
      /** What the upstream provider said, when its answer caused the error. */
      provider_error: z.object({ type: z.string().nullable(), message: z.string() }).optional(),
    }),
  })
  .openapi("Error");

/** The error responses every route may give. */
export const errorResponses = {
  400: {
    description: "Bad request",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
  401: {
    description: "Missing or wrong API key",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
  404: {
    description: "Not found",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
  413: {
    description: "Body too large",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
  429: {
    description: "Too many requests (see Retry-After)",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
  503: {
    description: "Overloaded or shutting down",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
} as const;
