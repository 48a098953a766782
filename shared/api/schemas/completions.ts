import { z } from "@hono/zod-openapi";
import {
  Choices,
  FinishReason,
  MaxTokens,
  ModelName,
  Penalty,
  Seed,
  Stop,
  StreamOptions,
  Temperature,
  TopP,
  Usage,
} from "./common.ts";

export const CompletionRequest = z
  .object({
    model: ModelName,
    prompt: z.union([z.string(), z.array(z.string()).min(1).max(16)]),
    max_tokens: MaxTokens,
    temperature: Temperature,
    top_p: TopP,
    n: Choices,
    stop: Stop,
    seed: Seed,
    stream: z.boolean().nullish(),
    stream_options: StreamOptions,
    echo: z.boolean().nullish(),
    suffix: z.string().nullish(),
    presence_penalty: Penalty,
    frequency_penalty: Penalty,
    logprobs: z.number().int().min(0).max(5).nullish(),
    best_of: z.number().int().min(1).max(16).nullish(),
    user: z.string().max(256).optional(),
  })
  .openapi("CompletionRequest");
export type CompletionRequest = z.infer<typeof CompletionRequest>;

export const Completion = z
  .object({
    id: z.string(),
    object: z.literal("text_completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        text: z.string(),
        logprobs: z.null(),
        finish_reason: FinishReason,
      }),
    ),
    usage: Usage.optional(),
  })
  .openapi("Completion");
export type Completion = z.infer<typeof Completion>;
