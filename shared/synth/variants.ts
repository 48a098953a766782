import { z } from "zod";
import { deriveSeed, mulberry32 } from "./prng.ts";
import type { TemplatePrompt } from "./template.ts";

/** An A/B variant of a template: another prompt, drawn with its weight. */
export const TemplateVariant = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "use 1-64 letters, digits, '_' or '-'"),
    weight: z.number().positive(),
    system: z.string().max(100_000).nullish(),
    prompt: z.string().min(1).max(100_000),
  })
  .strict();
export type TemplateVariant = z.infer<typeof TemplateVariant>;

/**
 * The variant a sample uses, drawn by weight from the job seed, row and sample (so a resumed job
 * draws the same), and the prompt it renders; the template's own prompt when it has no variants.
 */
export function pickVariant(
  template: TemplatePrompt & { variants?: TemplateVariant[] | null },
  seed: number,
  row: number,
  sample: number,
): { variant: string | null; prompt: TemplatePrompt } {
  const variants = template.variants ?? [];
  if (variants.length === 0) return { variant: null, prompt: template };
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let point = mulberry32(deriveSeed(seed, row, sample, "variant"))() * total;
  let chosen = variants[variants.length - 1] as TemplateVariant;
  for (const variant of variants) {
    point -= variant.weight;
    if (point < 0) {
      chosen = variant;
      break;
    }
  }
  return {
    variant: chosen.name,
    prompt: { system: chosen.system ?? template.system, prompt: chosen.prompt },
  };
}
