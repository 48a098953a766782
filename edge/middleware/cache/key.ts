/**
 * The cache key: SHA-256 of the tenant, the route and the normalised request. Normalising makes
 * requests that must give the same answer hash the same: keys sorted at every depth, absent and
 * null fields dropped, OpenAI's defaults filled in, and the fields that only change how the
 * answer is delivered or attributed (`stream`, `stream_options`, `user`) left out.
 */

/** The routes whose answers are cached. */
export type CachedRoute = "chat" | "completions" | "embeddings";

/** OpenAI's documented defaults: a request that spells one out equals one that omits it. */
const DEFAULTS: Record<CachedRoute, Record<string, unknown>> = {
  chat: { temperature: 1, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0 },
  completions: {
    temperature: 1,
    top_p: 1,
    n: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    echo: false,
    best_of: 1,
  },
  embeddings: { encoding_format: "float" },
};

/** Fields that change delivery or attribution, never the answer's content. */
const IGNORED = new Set(["stream", "stream_options", "user"]);

/** Drops null / undefined fields at every depth and sorts object keys. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== null && field !== undefined) out[key] = canonical(field);
  }
  return out;
}

/** The request as it is hashed (exported for tests and for debugging a surprising miss). */
export function normaliseRequest(route: CachedRoute, body: Record<string, unknown>): unknown {
  const merged: Record<string, unknown> = { ...DEFAULTS[route] };
  for (const [key, value] of Object.entries(body)) {
    if (!IGNORED.has(key) && value !== null && value !== undefined) merged[key] = value;
  }
  return canonical(merged);
}

/**
 * Whether a request's answer is repeatable enough to cache: embeddings always; generations
 * with temperature 0 or a seed (the provider then promises a best-effort repeat).
 */
export function isDeterministic(route: CachedRoute, body: Record<string, unknown>): boolean {
  if (route === "embeddings") return true;
  return body.temperature === 0 || (body.seed !== undefined && body.seed !== null);
}

/** The KV key of a request for a tenant: `v1:<route>:<sha-256 hex>`. */
export async function cacheKey(
  tenantId: string,
  route: CachedRoute,
  body: Record<string, unknown>,
): Promise<string> {
  // JSON-encode the tenant too, so no tenant id can forge another's prefix.
  const text = JSON.stringify([tenantId, route, normaliseRequest(route, body)]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `v1:${route}:${hex}`;
}
