/**
 * Metering: every call to an inference route is recorded (tenant, key, requested model, target,
 * tokens, cost, latency, status) after its answer, off the response path (`waitUntil`). A
 * streamed answer is recorded when its stream ends, with the usage its provider reported.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { TARGET_HEADER } from "../../gateway/deps.ts";
import type { StreamEnd } from "../../gateway/relay.ts";
import { inBackground } from "../../lib/background.ts";
import { costOfCall } from "../../routing/price.ts";
import { openStore } from "../../store/db.ts";
import { recordUsage } from "../../store/usage.ts";

/** How a streamed answer ended, as the meter waits for it. */
export type StreamOutcome = Parameters<StreamEnd>[0];

/** Options of {@link meterUsage}. */
export interface MeterOptions {
  /** Which route this is (`chat`, `completions`, `embeddings`). */
  route: string;
  now?: () => number;
}

/** A callback for the gateway that hands a stream's end to this request's meter. */
export function streamEndFor(c: Context<EdgeEnv>): StreamEnd {
  let resolve: StreamEnd = () => {};
  c.set("streamEnd", new Promise<StreamOutcome>((r) => (resolve = r)));
  return (outcome) => resolve(outcome);
}

/** How a metered call ended: its status, the usage its provider reported and what it cost. */
export interface CallOutcome {
  status: number;
  usage: Usage | undefined;
  /** USD when the routing policy prices the target that answered, else null. */
  costUsd: number | null;
}

const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** The metering middleware for one route. */
export function meterUsage({ route, now = Date.now }: MeterOptions): MiddlewareHandler<EdgeEnv> {
  return async function meterUsageHandler(c, next) {
    const started = now();
    const body = (await c.req.json().catch(() => ({}))) as { model?: unknown };
    const model = typeof body.model === "string" ? body.model.slice(0, 256) : "";
    await next();
    const principal = c.get("principal");
    const res = c.res;
    const target = res.headers.get(TARGET_HEADER);
    const config = settings(c);
    const cacheStatus = c.get("cacheStatus") ?? "none";
    const record = async ({ status, usage, costUsd }: CallOutcome) => {
      await recordUsage(await openStore(config.database), {
        tenantId: principal.tenantId,
        keyId: principal.keyId,
        route,
        model,
        target,
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        costUsd,
        cacheStatus,
        guardrails: c.get("guardFindings")?.join(",") || null,
        latencyMs: Math.max(0, Math.round(now() - started)),
        status,
        createdAt: new Date(started),
      });
    };
    // A cache hit called no provider: it spent no tokens and costs nothing (the answer's body
    // still shows the usage of the call that filled the cache).
    const outcomeOf = (status: number, reported: Usage | undefined): CallOutcome => {
      const usage = cacheStatus === "hit" ? NO_USAGE : reported;
      return { status, usage, costUsd: costOfCall(config.policy, model, target, usage) };
    };
    const streamEnd = c.get("streamEnd");
    let outcome: Promise<CallOutcome>;
    if (streamEnd && res.headers.get("content-type")?.startsWith("text/event-stream")) {
      // A stream cut after its 200 went out is still an upstream failure: record it as 502.
      outcome = streamEnd.then((o) => outcomeOf(o.ok ? res.status : 502, o.usage));
    } else {
      const usage =
        res.ok && res.headers.get("content-type")?.includes("json")
          ? ((await res.clone().json()) as { usage?: Usage }).usage
          : undefined;
      outcome = Promise.resolve(outcomeOf(res.status, usage));
    }
    // The limits settle their reservations with the same outcome (edge/middleware/rate-limit).
    c.set("callOutcome", outcome);
    await inBackground(c, "metering", outcome.then(record));
  };
}
