import type { z } from "zod";

/**
 * Parses a JSON configuration var (text as `wrangler.toml` / secrets give it, or an object as
 * tests do) with `schema`; throws naming the var and the first bad field.
 */
export function parseJsonConfig<S extends z.ZodType>(
  name: string,
  schema: S,
  raw: unknown,
): z.output<S> {
  const value = typeof raw === "string" && raw.trim() !== "" ? JSON.parse(raw) : (raw ?? {});
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${name} ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
