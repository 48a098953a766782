import { z } from "@hono/zod-openapi";
import { ModelName } from "./common.ts";

export const EmbeddingRequest = z
  .object({
    model: ModelName,
    input: z.union([
      z.string(),
      z.array(z.string()).min(1).max(2048),
      z.array(z.number().int().min(0)).min(1),
      z
        .array(z.array(z.number().int().min(0)).min(1))
        .min(1)
        .max(2048),
    ]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().min(1).optional(),
    user: z.string().max(256).optional(),
  })
  .openapi("EmbeddingRequest");
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

export const EmbeddingList = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        object: z.literal("embedding"),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string()]),
      }),
    ),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi("EmbeddingList");
export type EmbeddingList = z.infer<typeof EmbeddingList>;
