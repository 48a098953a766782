/**
 * The routing policy (configuration, `ROUTING_POLICY`): aliases mapping a model name to a chain
 * of `provider/model` and `site:<site>/<model>` targets with fallback, weighted balancing, retries and timeouts, plus the
 * defaults that direct `provider/model` calls use.
 */
import { z } from "zod";
import { parseJsonConfig } from "../lib/json-config.ts";

/** What an attempt can fail on, beyond HTTP statuses. */
export const failureKinds = ["timeout", "network", "stream", "circuit_open"] as const;
const Trigger = z.union([z.number().int().min(400).max(599), z.enum(failureKinds)]);
export type Trigger = z.infer<typeof Trigger>;

export const RetryPolicy = z.object({
  /** Retries on the same target after the first try. */
  attempts: z.number().int().min(0).max(10).default(2),
  /** Statuses and failures that are retried on the same target. */
  on: z.array(Trigger).default([429, 500, 502, 503, 504, 529, "network"]),
  baseDelayMs: z.number().min(0).default(250),
  maxDelayMs: z.number().min(0).default(8_000),
  /** A `Retry-After` longer than this is not waited for: the chain falls back instead. */
  maxRetryAfterMs: z.number().min(0).default(10_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

const TargetRef = z.object({
  /** `provider/model`, or `site:<site>/<model>` (a site of the caller's tenant, or shared with it). */
  model: z
    .string()
    .regex(/^([a-z0-9-]+\/.+|site:[^/]+\/.+)$/, "must be provider/model or site:<site>/<model>"),
  weight: z.number().positive().default(1),
  timeoutMs: z.number().int().positive().optional(),
  /** Prices in USD per million tokens, for `cheapest` routing. */
  inputPerMillion: z.number().min(0).optional(),
  outputPerMillion: z.number().min(0).optional(),
  /** The model's context window in tokens: a request that would not fit skips this target. */
  contextTokens: z.number().int().positive().optional(),
});
export type TargetRef = z.infer<typeof TargetRef>;

export const AliasPolicy = z.object({
  /**
   * `fallback`: in order; `weighted`: first pick by weight, the others as fallbacks;
   * `cheapest`: by estimated cost of this request, among targets whose context fits it.
   */
  strategy: z.enum(["fallback", "weighted", "cheapest"]).default("fallback"),
  targets: z.array(TargetRef).min(1),
  /** What moves the chain to its next target. */
  fallbackOn: z
    .array(Trigger)
    .default([429, 500, 502, 503, 504, 529, "timeout", "network", "stream", "circuit_open"]),
  retry: RetryPolicy.optional(),
  timeoutMs: z.number().int().positive().optional(),
});
export type AliasPolicy = z.infer<typeof AliasPolicy>;

export const RoutingPolicy = z.object({
  aliases: z.record(z.string(), AliasPolicy).default({}),
  retry: RetryPolicy.prefault({}),
  /** Time to the first byte of an answer (first chunk when streaming). */
  timeoutMs: z.number().int().positive().default(60_000),
  circuitBreaker: z
    .object({
      /** Consecutive failures that open a target's circuit. */
      failureThreshold: z.number().int().min(1).default(5),
      /** How long an open circuit refuses calls before one probe is let through. */
      cooldownMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
});
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

/** Parses a policy from a binding (a JSON string or an object), throwing a readable error. */
export function parseRoutingPolicy(raw: unknown): RoutingPolicy {
  return parseJsonConfig("ROUTING_POLICY", RoutingPolicy, raw);
}
