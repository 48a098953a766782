/**
 * The counters of one subject (a tenant or an API key) in a SQLite-backed Durable Object, one
 * object per subject (`idFromName`). Every method runs start to end without awaiting anything,
 * so a check and its take can never interleave with another request's: that is what makes the
 * counters atomic under concurrency. Storage is synchronous SQL, durable before a reply leaves.
 */
import { DurableObject } from "cloudflare:workers";
import type { LimitValues, MonthUsage, WindowUsage } from "../../../shared/api/schemas/limits.ts";
import { type Bindings, limiterAcceptsCallerClock } from "../../env.ts";
import { type Bucket, nextPeriodStart, periodOf, refill, waitFor, windowOf } from "./bucket.ts";

/** What a request asks to take before it runs. */
export interface Reservation {
  limits: LimitValues;
  /** Estimated prompt tokens plus the completion cap. */
  tokens: number;
  /** The most the request can cost, in USD. */
  costUsd: number;
  /** The caller's clock; only honoured in tests (`ENVIRONMENT=test`). */
  at: number;
}

/** Which limit refused a request. */
export type DenyReason = "requests" | "tokens" | "monthly_tokens" | "monthly_cost_usd";

/** The answer to a reservation, with the windows as they stand after it. */
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

/** A correction after the call: amounts added to what was taken (negative gives back). */
export interface Settlement {
  limits: LimitValues;
  requests: number;
  tokens: number;
  costUsd: number;
  period: string;
  at: number;
}

/** A subject's limits as they stand. */
export interface SubjectUsage {
  requests: WindowUsage | null;
  tokens: WindowUsage | null;
  month: MonthUsage;
}

interface Counters {
  requests: Bucket | null;
  tokens: Bucket | null;
  period: string;
  spentTokens: number;
  spentCost: number;
}

/** Refills a bucket when its limit is set; a lifted limit forgets its bucket. */
const bucketAt = (bucket: Bucket | null, capacity: number | null, now: number) =>
  capacity === null ? null : refill(bucket, capacity, now);

export class RateLimiter extends DurableObject<Bindings> {
  readonly #callerClock: boolean;
  #counters: Counters;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#callerClock = limiterAcceptsCallerClock(env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS counters (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)",
    );
    const row = ctx.storage.sql.exec<{ state: string }>("SELECT state FROM counters").toArray()[0];
    this.#counters = row
      ? (JSON.parse(row.state) as Counters)
      : { requests: null, tokens: null, period: "", spentTokens: 0, spentCost: 0 };
  }

  /** Takes one request, `tokens` and `costUsd` when every limit allows, else nothing. */
  reserve(ask: Reservation): Verdict {
    const { now, c, rpm, tpm, requests, tokens } = this.#stateAt(ask.limits, ask.at);
    let denied: DenyReason | null = null;
    let wait = 0;
    const monthLeft = nextPeriodStart(now) - now;
    const { monthly_tokens: maxTokens, monthly_cost_usd: maxCost } = ask.limits;
    // Budgets first: waiting out a minute does not help them.
    if (maxTokens !== null && c.spentTokens + ask.tokens > maxTokens) {
      denied = "monthly_tokens";
      wait = ask.tokens > maxTokens ? Number.POSITIVE_INFINITY : monthLeft;
    } else if (maxCost !== null && c.spentCost + ask.costUsd > maxCost) {
      denied = "monthly_cost_usd";
      wait = ask.costUsd > maxCost ? Number.POSITIVE_INFINITY : monthLeft;
    } else {
      const waitRequests = requests && rpm !== null ? waitFor(requests, rpm, 1) : 0;
      const waitTokens = tokens && tpm !== null ? waitFor(tokens, tpm, ask.tokens) : 0;
      if (waitRequests > 0 || waitTokens > 0) {
        denied = waitRequests >= waitTokens ? "requests" : "tokens";
        wait = Math.max(waitRequests, waitTokens);
      }
    }
    if (!denied) {
      if (requests) requests.level -= 1;
      if (tokens) tokens.level -= ask.tokens;
      c.spentTokens += ask.tokens;
      c.spentCost += ask.costUsd;
    }
    this.#save({ ...c, requests, tokens });
    return {
      allowed: !denied,
      denied,
      retryAfterMs: Number.isFinite(wait) ? wait : null,
      requests: requests && rpm !== null ? windowOf(requests, rpm) : null,
      tokens: tokens && tpm !== null ? windowOf(tokens, tpm) : null,
      period: c.period,
    };
  }

  /** Corrects a reservation with what the call really used, or gives it back. */
  settle(change: Settlement): void {
    const { c, rpm, tpm, requests, tokens } = this.#stateAt(change.limits, change.at);
    if (requests && rpm !== null) requests.level = Math.min(rpm, requests.level - change.requests);
    if (tokens && tpm !== null) tokens.level = Math.min(tpm, tokens.level - change.tokens);
    // A reservation from last month is not charged to this one.
    if (change.period === c.period) {
      c.spentTokens = Math.max(0, c.spentTokens + change.tokens);
      c.spentCost = Math.max(0, c.spentCost + change.costUsd);
    }
    this.#save({ ...c, requests, tokens });
  }

  /** The windows and the month's spend under `limits`, changing nothing. */
  inspect(limits: LimitValues, at: number): SubjectUsage {
    const { now, c, rpm, tpm, requests, tokens } = this.#stateAt(limits, at);
    return {
      requests: requests && rpm !== null ? windowOf(requests, rpm) : null,
      tokens: tokens && tpm !== null ? windowOf(tokens, tpm) : null,
      month: {
        period: c.period,
        tokens: c.spentTokens,
        cost_usd: c.spentCost,
        resets_at: nextPeriodStart(now),
      },
    };
  }

  /** The counters and both buckets at the caller's instant (or this object's own clock). */
  #stateAt(limits: LimitValues, callerAt: number) {
    const now = this.#callerClock && Number.isFinite(callerAt) ? callerAt : Date.now();
    const c = this.#countersAt(now);
    const rpm = limits.requests_per_minute;
    const tpm = limits.tokens_per_minute;
    return {
      now,
      c,
      rpm,
      tpm,
      requests: bucketAt(c.requests, rpm, now),
      tokens: bucketAt(c.tokens, tpm, now),
    };
  }

  /** The counters at `now`, starting the budget over when a new month has begun. */
  #countersAt(now: number): Counters {
    const period = periodOf(now);
    const c = this.#counters;
    return c.period === period ? { ...c } : { ...c, period, spentTokens: 0, spentCost: 0 };
  }

  #save(counters: Counters): void {
    this.#counters = counters;
    this.ctx.storage.sql.exec(
      "INSERT INTO counters (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
      JSON.stringify(counters),
    );
  }
}
