/**
 * The limits middleware of the inference routes. Before the call it reserves one request, the
 * request's tokens (prompt estimate plus its completion cap) and its most expensive cost with
 * the tenant's and the key's counters; after it, it settles each reservation to the real usage
 * its call record ended with (a failed call gives its tokens and cost back). Every limited answer carries
 * OpenAI's rate-limit headers; a refusal is a 429 envelope with `Retry-After`.
 */
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "../../../shared/api/app.ts";
import { ApiError } from "../../../shared/api/errors.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import type { CallEnd } from "../../inference/call-record.ts";
import { setAnswerHeaders } from "../../lib/headers.ts";
import { costOfCall, maxCostOf } from "../../routing/price.ts";
import { rateLimitHeaders, tightest } from "./headers.ts";
import type { Verdict } from "./limiter.ts";
import { type LimitSubject, slotOf, subjectsOf, tenantCounter } from "./subjects.ts";

/** Options of {@link enforceLimits}. */
export interface LimitOptions {
  /** The clock sent to the counters (which honour it only in tests). */
  now?: () => number;
}

/** The 429 for a refusal, naming the limit and whose it is. */
function refusal(
  verdict: Verdict,
  subject: LimitSubject,
  tokens: number,
  costUsd: number,
): ApiError {
  const whose = subject.kind === "tenant" ? "this tenant" : "this API key";
  const retryAfter =
    verdict.retryAfterMs === null ? undefined : Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  if (verdict.denied === "monthly_tokens" || verdict.denied === "monthly_cost_usd") {
    const limit = subject.effective[verdict.denied] ?? 0;
    const tokensBudget = verdict.denied === "monthly_tokens";
    const what = tokensBudget ? `${limit} tokens` : `${limit} USD`;
    const reserves = tokensBudget ? `${tokens} tokens` : `${costUsd.toFixed(6)} USD`;
    // A request larger than the whole budget fits no month: no point in retrying it.
    const never = (tokensBudget ? tokens : costUsd) > limit;
    return new ApiError(
      429,
      never
        ? `This request (${reserves}) is larger than the whole monthly budget of ${whose} (${what}): lower max_tokens or shorten the prompt.`
        : `The monthly budget of ${whose} (${what}) does not cover this request (it reserves ${reserves}: lower max_tokens, or wait for the next month).`,
      {
        type: "insufficient_quota",
        code: "budget_exceeded",
        retryAfter: never ? undefined : retryAfter,
      },
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

/** What to add to a reservation of `tokens` / `costUsd` once the call's outcome is known. */
function correction(end: CallEnd, spentUsd: number | null, tokens: number, costUsd: number) {
  if (end.usage) {
    const used = end.usage.prompt_tokens + end.usage.completion_tokens;
    return { tokens: used - tokens, costUsd: (spentUsd ?? 0) - costUsd };
  }
  // No usage: a failed call gives everything back; a success of unknown size keeps its reservation.
  if (end.status >= 400) return { tokens: -tokens, costUsd: -costUsd };
  return { tokens: 0, costUsd: 0 };
}

/** The limits step of the inference routes: reads the request's estimate, settles on its end. */
export function enforceLimits({ now = Date.now }: LimitOptions = {}): MiddlewareHandler<EdgeEnv> {
  return async function enforceLimitsHandler(c, next) {
    const config = settings(c);
    const limiter = config.limiter;
    if (!limiter) return next();
    const subjects = await subjectsOf(config, c.get("principal"), now());
    if (subjects.length === 0) return next();
    const call = c.get("call");
    const { request, estimate } = c.get("inference");
    const tokens = estimate.promptTokens + estimate.maxTokens;
    const maxCost = maxCostOf(config, request.model, estimate);
    if (maxCost === null && !config.allowUnpricedModels) {
      const budgeted = subjects.find((s) => s.effective.monthly_cost_usd != null);
      if (budgeted) {
        throw new ApiError(
          400,
          `Nothing prices the model '${request.model}' (or a target it may reach): neither the routing policy nor the model catalogue, and ${budgeted.kind === "tenant" ? "this tenant" : "this API key"} has a USD budget. The operator can price it in MODEL_CATALOGUE or set ALLOW_UNPRICED_MODELS=true.`,
          { code: "unpriced_model", param: "model" },
        );
      }
    }
    const costUsd = maxCost ?? 0;
    // One call: the key, then its tenant (narrowest first), in the tenant's object; nothing is
    // taken from either unless both allow.
    const counter = tenantCounter(limiter, c.get("principal").tenantId);
    const verdicts = await counter.reserve({
      slots: subjects.map((s) => ({ slot: slotOf(s), limits: s.effective })),
      tokens,
      costUsd,
      at: now(),
    });
    const held = verdicts.map((verdict, i) => ({ verdict, subject: subjects[i] as LimitSubject }));
    const headers = rateLimitHeaders(
      tightest(verdicts.map((v) => v.requests)),
      tightest(verdicts.map((v) => v.tokens)),
    );
    const refused = held.find((h) => !h.verdict.allowed);
    if (refused) {
      call.end({ status: 429, usage: undefined, target: null, refused: true });
      const error = refusal(refused.verdict, refused.subject, tokens, costUsd);
      const res = errorResponse(error);
      for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
      // A budget or an oversized request is not helped by an SDK's automatic retries.
      if (error.code === "budget_exceeded" || error.retryAfter === undefined) {
        res.headers.set("x-should-retry", "false");
      }
      return res;
    }
    await next();
    setAnswerHeaders(c, headers);
    call.subscribe("settling limits", (end) => {
      const spentUsd = costOfCall(config, request.model, end.target, end.usage);
      const change = correction(end, spentUsd, tokens, costUsd);
      if (change.tokens === 0 && change.costUsd === 0) return;
      return counter.settle({
        slots: held.map(({ subject, verdict }) => ({
          slot: slotOf(subject),
          limits: subject.effective,
          period: verdict.period,
        })),
        requests: 0,
        ...change,
        at: now(),
      });
    });
  };
}
