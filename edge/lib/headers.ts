import type { Context } from "hono";

/**
 * Sets headers on the answer a later step made. Hono's `c.header` copies the whole Response for
 * every header once the answer exists; the pipeline's answers have mutable headers, so they are
 * set in place. A Response whose headers are immutable (one passed on from `fetch`) falls back
 * to `c.header`, which copies it.
 */
export function setAnswerHeaders(c: Context, headers: Record<string, string>): void {
  const entries = Object.entries(headers);
  try {
    for (const [name, value] of entries) c.res.headers.set(name, value);
  } catch {
    for (const [name, value] of entries) c.header(name, value);
  }
}
