import type { Context } from "hono";

/**
 * Runs `work` after the response (`waitUntil`), logging its failure instead of failing the
 * request; without an execution context (`app.request` in unit tests) it is awaited in place.
 */
export async function inBackground(c: Context, what: string, work: Promise<unknown>) {
  const logged = work.catch((err) => console.error(`${what} failed:`, err));
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    await logged;
  }
}
