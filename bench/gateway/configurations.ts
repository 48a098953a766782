/**
 * Our edge's configurations: A, API key + metering (always on), and B, A + limits (a tenant and
 * key plan, counted in the Durable Object) + the KV response cache + guardrails. What B's cache
 * does depends on the request: `--cache bypass` (default) sends the same non-deterministic chat
 * request as every other row, which the cache passes by without a KV read (most chat traffic);
 * `miss` sends a new `seed` each time (a KV read and a KV write per request); `hit` a fixed
 * `seed` (one KV read, no provider call).
 */
import type { EdgeWorkerOptions } from "../../test/helpers/edge.ts";

export type CacheMode = "bypass" | "miss" | "hit";
export const cacheModes: CacheMode[] = ["bypass", "miss", "hit"];

export const prompt = "Say hello to the benchmark.";
/** Prefixed for our routing; the fake answers any model name, and Portkey passes it through. */
const request = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: prompt }],
  max_tokens: 16,
};
/** The request every row but B-with-a-cacheable-request sends. */
export const plainBody = JSON.stringify(request);
export const expectedReply = `Hello from openai! You said: ${prompt}`;

/** One way to run our edge. */
export interface EdgeConfiguration {
  /** Short name: A or B (`A+obs` or `B+obs` traced, ./tracing.ts). */
  id: string;
  label: string;
  /** Vars beyond the provider's key and base URL. */
  bindings: Record<string, string>;
  options: EdgeWorkerOptions;
  body: string | (() => string);
  /** What `x-textnlp-cache` must say once warm (B only). */
  cacheStatus?: string;
  /** Exports its spans to the bench's OTLP sink (`--tracing`). */
  exportsTraces?: boolean;
}

/** A plan with every kind of limit, far above what a bench sends, so every request is counted. */
const LIMITS = {
  tenant: { requests_per_minute: 1e9, tokens_per_minute: 1e12, monthly_tokens: 1e15 },
  key: { requests_per_minute: 1e9, tokens_per_minute: 1e12, monthly_tokens: 1e15 },
};
/** Every detector runs over every request; the bench's prompt has nothing to redact. */
const GUARDRAILS = {
  pii: { action: "redact" },
  injection: { action: "flag", flagThreshold: 0.5, blockThreshold: 0.8 },
};

/** A and B; B's request follows `cache`. */
export function edgeConfigurations(cache: CacheMode): EdgeConfiguration[] {
  let seed = 0;
  const bodies: Record<CacheMode, string | (() => string)> = {
    bypass: plainBody,
    miss: () => JSON.stringify({ ...request, seed: ++seed }),
    hit: JSON.stringify({ ...request, seed: 0 }),
  };
  return [
    { id: "A", label: "A: key + metering", bindings: {}, options: {}, body: plainBody },
    {
      id: "B",
      label: `B: A + limits, cache (${cache}), guardrails`,
      bindings: { LIMITS: JSON.stringify(LIMITS), GUARDRAILS: JSON.stringify(GUARDRAILS) },
      options: { responseCache: true },
      body: bodies[cache],
      cacheStatus: cache,
    },
  ];
}
