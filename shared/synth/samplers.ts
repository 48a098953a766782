/**
 * Variable samplers: values drawn per sample from weighted categories, numeric ranges or lists,
 * deterministically from the job seed, the row and the sample (so a resumed job draws the same).
 */
import { z } from "zod";
import { deriveSeed, mulberry32 } from "./prng.ts";

export const Sampler = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("categories"),
    /** Value → weight (relative, > 0). */
    values: z
      .record(z.string(), z.number().positive())
      .refine((v) => Object.keys(v).length > 0, "needs at least one value"),
  }),
  z
    .object({
      type: z.literal("range"),
      min: z.number(),
      max: z.number(),
      integer: z.boolean().default(false),
    })
    .refine((r) => r.max >= r.min, "max must be >= min"),
  z.object({ type: z.literal("list"), values: z.array(z.unknown()).min(1) }),
]);
export type Sampler = z.infer<typeof Sampler>;

/** Draws one value. */
export function drawSample(sampler: Sampler, random: () => number): unknown {
  switch (sampler.type) {
    case "categories": {
      const entries = Object.entries(sampler.values);
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let point = random() * total;
      for (const [value, weight] of entries) {
        point -= weight;
        if (point < 0) return value;
      }
      return entries[entries.length - 1]?.[0];
    }
    case "range": {
      const value = sampler.min + random() * (sampler.max - sampler.min);
      return sampler.integer
        ? Math.min(
            sampler.max,
            Math.floor(sampler.min + random() * (sampler.max - sampler.min + 1)),
          )
        : value;
    }
    case "list":
      return sampler.values[Math.floor(random() * sampler.values.length)];
  }
}

/** The sampled variables of one sample (names in sorted order, so adding one keeps the others). */
export function sampleVariables(
  samplers: Record<string, Sampler>,
  seed: number,
  row: number,
  sample: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(samplers).sort()) {
    out[name] = drawSample(
      samplers[name] as Sampler,
      mulberry32(deriveSeed(seed, row, sample, name)),
    );
  }
  return out;
}
