/**
 * One subject's counters (a tenant or an API key) and what reserving, settling and inspecting
 * do to them: pure, so the Durable Object that keeps them (limiter.ts) only stores and loads.
 */
import type { LimitValues, MonthUsage, WindowUsage } from "../../../shared/api/schemas/limits.ts";
import { type Bucket, nextPeriodStart, periodOf, refill, waitFor, windowOf } from "./bucket.ts";

/** What a subject has taken: its per-minute buckets and the month's spend. */
export interface Counters {
  requests: Bucket | null;
  tokens: Bucket | null;
  period: string;
  spentTokens: number;
  spentCost: number;
}

/** Counters of a subject never seen. */
export const EMPTY_COUNTERS: Counters = {
  requests: null,
  tokens: null,
  period: "",
  spentTokens: 0,
  spentCost: 0,
};

/** Which limit refused a request. */
export type DenyReason = "requests" | "tokens" | "monthly_tokens" | "monthly_cost_usd";

/** The answer for one subject, with its windows as they stand after it. */
export interface Verdict {
  allowed: boolean;
  denied: DenyReason | null;
  /** Milliseconds until the same request could pass; null when waiting cannot help. */
  retryAfterMs: number | null;
  requests: WindowUsage | null;
  tokens: WindowUsage | null;
  /** The budget month the reservation counted in (settled against that month only). */
  period: string;
}

/** A subject's limits as they stand. */
export interface SubjectUsage {
  requests: WindowUsage | null;
  tokens: WindowUsage | null;
  month: MonthUsage;
}

/** A subject's counters at an instant, under its limits. */
export interface SubjectState {
  now: number;
  limits: LimitValues;
  counters: Counters;
}

/** Refills a bucket when its limit is set; a lifted limit forgets its bucket. */
const bucketAt = (bucket: Bucket | null, capacity: number | null, now: number) =>
  capacity === null ? null : refill(bucket, capacity, now);

/** `counters` at `now` under `limits`: buckets refilled, the budget new in a new month. */
export function stateAt(counters: Counters, limits: LimitValues, now: number): SubjectState {
  const period = periodOf(now);
  const month =
    counters.period === period ? counters : { ...counters, period, spentTokens: 0, spentCost: 0 };
  return {
    now,
    limits,
    counters: {
      ...month,
      requests: bucketAt(month.requests, limits.requests_per_minute, now),
      tokens: bucketAt(month.tokens, limits.tokens_per_minute, now),
    },
  };
}

/** Why `state` cannot take one request of `tokens` and `costUsd` now, and how long to wait. */
export function refusalOf(
  { now, limits, counters: c }: SubjectState,
  tokens: number,
  costUsd: number,
): { denied: DenyReason; waitMs: number } | null {
  const monthLeft = nextPeriodStart(now) - now;
  const { monthly_tokens: maxTokens, monthly_cost_usd: maxCost } = limits;
  // Budgets first: waiting out a minute does not help them.
  if (maxTokens !== null && c.spentTokens + tokens > maxTokens) {
    return {
      denied: "monthly_tokens",
      waitMs: tokens > maxTokens ? Number.POSITIVE_INFINITY : monthLeft,
    };
  }
  if (maxCost !== null && c.spentCost + costUsd > maxCost) {
    return {
      denied: "monthly_cost_usd",
      waitMs: costUsd > maxCost ? Number.POSITIVE_INFINITY : monthLeft,
    };
  }
  const rpm = limits.requests_per_minute;
  const tpm = limits.tokens_per_minute;
  const waitRequests = c.requests && rpm !== null ? waitFor(c.requests, rpm, 1) : 0;
  const waitTokens = c.tokens && tpm !== null ? waitFor(c.tokens, tpm, tokens) : 0;
  if (waitRequests <= 0 && waitTokens <= 0) return null;
  return {
    denied: waitRequests >= waitTokens ? "requests" : "tokens",
    waitMs: Math.max(waitRequests, waitTokens),
  };
}

/** Takes one request, `tokens` and `costUsd` from `state`'s counters (in place). */
export function take({ counters: c }: SubjectState, tokens: number, costUsd: number): void {
  if (c.requests) c.requests.level -= 1;
  if (c.tokens) c.tokens.level -= tokens;
  c.spentTokens += tokens;
  c.spentCost += costUsd;
}

/** Adds a settlement to `state`'s counters (in place); negative amounts give back. */
export function addTo(
  { limits, counters: c }: SubjectState,
  change: { requests: number; tokens: number; costUsd: number; period: string },
): void {
  const rpm = limits.requests_per_minute;
  const tpm = limits.tokens_per_minute;
  if (c.requests && rpm !== null)
    c.requests.level = Math.min(rpm, c.requests.level - change.requests);
  if (c.tokens && tpm !== null) c.tokens.level = Math.min(tpm, c.tokens.level - change.tokens);
  // A reservation from last month is not charged to this one.
  if (change.period === c.period) {
    c.spentTokens = Math.max(0, c.spentTokens + change.tokens);
    c.spentCost = Math.max(0, c.spentCost + change.costUsd);
  }
}

/** The verdict for `state`, refused or not. */
export function verdictOf(
  { limits, counters: c }: SubjectState,
  refusal: { denied: DenyReason; waitMs: number } | null,
): Verdict {
  const rpm = limits.requests_per_minute;
  const tpm = limits.tokens_per_minute;
  return {
    allowed: refusal === null,
    denied: refusal?.denied ?? null,
    retryAfterMs: refusal && Number.isFinite(refusal.waitMs) ? refusal.waitMs : refusal ? null : 0,
    requests: c.requests && rpm !== null ? windowOf(c.requests, rpm) : null,
    tokens: c.tokens && tpm !== null ? windowOf(c.tokens, tpm) : null,
    period: c.period,
  };
}

/** The windows and the month's spend of `state`. */
export function usageOf({ now, limits, counters: c }: SubjectState): SubjectUsage {
  const verdict = verdictOf({ now, limits, counters: c }, null);
  return {
    requests: verdict.requests,
    tokens: verdict.tokens,
    month: {
      period: c.period,
      tokens: c.spentTokens,
      cost_usd: c.spentCost,
      resets_at: nextPeriodStart(now),
    },
  };
}
