import { z } from "zod";

/** Generation parameters a template, a job or a generated column may set. */
export const GenerationParams = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
