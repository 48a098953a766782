import { z } from "@hono/zod-openapi";

/** What a model can be asked for. */
export const modelCapabilities = ["chat", "embeddings", "vision", "tools", "json"] as const;
export type ModelCapability = (typeof modelCapabilities)[number];

export const Model = z
  .object({
    id: z.string(),
    object: z.literal("model"),
    created: z.number().int(),
    owned_by: z.string(),
    /** What it can be asked for, where the server knows (beyond OpenAI's fields). */
    capabilities: z.array(z.enum(modelCapabilities)).optional(),
    /** Its context window in tokens, where the server knows. */
    context_length: z.number().int().positive().optional(),
  })
  .openapi("Model");
export type Model = z.infer<typeof Model>;

export const ModelList = z
  .object({ object: z.literal("list"), data: z.array(Model) })
  .openapi("ModelList");
export type ModelList = z.infer<typeof ModelList>;

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    version: z.string(),
    uptime_s: z.number(),
    /**
     * Per loaded model (`name@N` for a version other than the current one): sequences generating,
     * requests waiting, sequences in all.
     */
    load: z
      .array(
        z.object({
          model: z.string(),
          active: z.number().int(),
          queued: z.number().int(),
          capacity: z.number().int(),
        }),
      )
      .optional(),
  })
  .openapi("Health");
export type Health = z.infer<typeof Health>;
