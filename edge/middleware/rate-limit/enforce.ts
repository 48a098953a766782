/**
 * The limits middleware of the inference routes. Before the call it reserves one request, the
 * request's tokens (prompt estimate plus its completion cap) and its most expensive cost with
 * the tenant's and the key's counters; after it, it settles each reservation to the real usage
 * the meter saw (a failed call gives its tokens and cost back). Every limited answer carries
 * OpenAI's rate-limit headers; a refusal is a 429 envelope with `Retry-After`.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { errorResponse } from "../../../shared/api/app.ts";
import { ApiError } from "../../../shared/api/errors.ts";
import { ChatCompletionRequest } from "../../../shared/api/schemas/chat.ts";
import { CompletionRequest } from "../../../shared/api/schemas/completions.ts";
import { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import type { RequestEstimate } from "../../routing/backoff.ts";
import { estimateChat, estimateCompletion, estimateEmbeddings } from "../../routing/estimate.ts";
import { maxCostOf } from "../../routing/price.ts";
import type { CallOutcome } from "../meter/index.ts";
import { rateLimitHeaders, tightest } from "./headers.ts";
import type { Verdict } from "./limiter.ts";
import { counterOf, type LimitSubject, subjectsOf } from "./subjects.ts";

/** How each limited route reads its request's size. */
const estimators = {
  chat: { schema: ChatCompletionRequest, estimate: estimateChat },
  completions: { schema: CompletionRequest, estimate: estimateCompletion },
  embeddings: { schema: EmbeddingRequest, estimate: estimateEmbeddings },
} as const;

/** Options of {@link enforceLimits}. */
export interface LimitOptions {
  route: keyof typeof estimators;
  /** The clock sent to the counters (which honour it only in tests). */
  now?: () => number;
}

/** The request's size and model, or null when the body is invalid (the route answers 400). */
async function sizeOf(c: Context<EdgeEnv>, route: LimitOptions["route"]) {
  const { schema, estimate } = estimators[route];
  const parsed = (schema as z.ZodType).safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) return null;
  const req = parsed.data as { model: string };
  return { model: req.model, estimate: (estimate as (r: unknown) => RequestEstimate)(req) };
}

/** The 429 for a refusal, naming the limit and whose it is. */
function refusal(verdict: Verdict, subject: LimitSubject, tokens: number): ApiError {
  const whose = subject.kind === "tenant" ? "this tenant" : "this API key";
  const retryAfter =
    verdict.retryAfterMs === null ? undefined : Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  if (verdict.denied === "monthly_tokens" || verdict.denied === "monthly_cost_usd") {
    const limit = subject.effective[verdict.denied];
    const what = verdict.denied === "monthly_tokens" ? `${limit} tokens` : `${limit} USD`;
    return new ApiError(
      429,
      `The monthly budget of ${whose} (${what}) does not cover this request (it reserves ${tokens} tokens: lower max_tokens, or wait for the next month).`,
      { code: "budget_exceeded", retryAfter },
    );
  }
  const unit = verdict.denied === "tokens" ? "tokens" : "requests";
  const perMinute = subject.effective[`${unit}_per_minute`];
  if (retryAfter === undefined) {
    return new ApiError(
      429,
      `Request too large for ${whose}: it needs ${tokens} tokens and the limit is ${perMinute} tokens per minute.`,
      { code: "rate_limit_exceeded" },
    );
  }
  return new ApiError(
    429,
    `Rate limit reached for ${whose} on ${unit} per minute (limit ${perMinute}). Please try again in ${retryAfter}s.`,
    { code: "rate_limit_exceeded", retryAfter },
  );
}

/** Runs `work` after the answer (waitUntil), or now when there is no execution context. */
async function afterResponse(c: Context<EdgeEnv>, work: Promise<unknown>): Promise<void> {
  const logged = work.catch((err) => console.error("settling limits failed:", err));
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    await logged; // no execution context (app.request in unit tests)
  }
}

/** What to add to a reservation of `tokens` / `costUsd` once the call's outcome is known. */
function correction(outcome: CallOutcome | undefined, tokens: number, costUsd: number) {
  if (outcome?.usage) {
    const used = outcome.usage.prompt_tokens + outcome.usage.completion_tokens;
    return { tokens: used - tokens, costUsd: (outcome.costUsd ?? 0) - costUsd };
  }
  // No usage: a failed call gives everything back; a success of unknown size keeps its reservation.
  if (!outcome || outcome.status >= 400) return { tokens: -tokens, costUsd: -costUsd };
  return { tokens: 0, costUsd: 0 };
}

/** The limits middleware for one inference route. */
export function enforceLimits({ route, now = Date.now }: LimitOptions): MiddlewareHandler<EdgeEnv> {
  return async function enforceLimitsHandler(c, next) {
    const config = settings(c);
    const limiter = config.limiter;
    if (!limiter) return next();
    const subjects = await subjectsOf(config, c.get("principal"), now());
    if (subjects.length === 0) return next();
    const size = await sizeOf(c, route);
    if (!size) return next();
    const tokens = size.estimate.promptTokens + size.estimate.maxTokens;
    const costUsd = maxCostOf(config.policy, size.model, size.estimate);
    const at = now();
    // One after the other, narrowest first (the key, then its tenant), stopping at a refusal:
    // a request its key refuses never holds a slot of the tenant's that others could use.
    const held: {
      subject: LimitSubject;
      counter: ReturnType<typeof counterOf>;
      verdict: Verdict;
    }[] = [];
    for (const subject of subjects) {
      const counter = counterOf(limiter, subject);
      const verdict = await counter.reserve({ limits: subject.effective, tokens, costUsd, at });
      held.push({ subject, counter, verdict });
      if (!verdict.allowed) break;
    }
    const headers = rateLimitHeaders(
      tightest(held.map((h) => h.verdict.requests)),
      tightest(held.map((h) => h.verdict.tokens)),
    );
    /** Adds `change` to every reservation that was granted. */
    const settleAll = (change: { requests: number; tokens: number; costUsd: number }) =>
      Promise.all(
        held
          .filter((h) => h.verdict.allowed)
          .map(({ subject, counter, verdict }) =>
            counter.settle({
              limits: subject.effective,
              period: verdict.period,
              at: now(),
              ...change,
            }),
          ),
      );
    const refused = held.find((h) => !h.verdict.allowed);
    if (refused) {
      // What the other subjects took for this request goes back to them.
      await afterResponse(c, settleAll({ requests: -1, tokens: -tokens, costUsd: -costUsd }));
      const error = refusal(refused.verdict, refused.subject, tokens);
      const res = errorResponse(error);
      for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
      // A budget or an oversized request is not helped by an SDK's automatic retries.
      if (error.code === "budget_exceeded" || error.retryAfter === undefined) {
        res.headers.set("x-should-retry", "false");
      }
      return res;
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    const outcome = c.get("callOutcome") ?? Promise.resolve(undefined);
    await afterResponse(
      c,
      outcome.then((o) => {
        const change = correction(o, tokens, costUsd);
        if (change.tokens === 0 && change.costUsd === 0) return;
        return settleAll({ requests: 0, ...change });
      }),
    );
  };
}
