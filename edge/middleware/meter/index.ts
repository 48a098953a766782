/**
 * Metering: every call to an inference route is recorded (tenant, key, requested model, target,
 * tokens, cost, latency, status) once its call record ends, off the response path. A streamed
 * answer ends when its stream does, with the usage its provider reported; a refusal by this
 * deployment's own limits is not recorded (it stays cheap, and no provider was asked).
 */
import type { MiddlewareHandler } from "hono";
import { type EdgeEnv, settings } from "../../env.ts";
import { costOfCall } from "../../routing/price.ts";
import { openStore } from "../../store/db.ts";
import { recordUsage } from "../../store/usage.ts";

/** Options of {@link meterUsage}. */
export interface MeterOptions {
  /** Which route this is (`chat`, `completions`, `embeddings`). */
  route: string;
  now?: () => number;
}

/** The metering step for one route: subscribes to the call's end. */
export function meterUsage({ route, now = Date.now }: MeterOptions): MiddlewareHandler<EdgeEnv> {
  return async function meterUsageHandler(c, next) {
    const call = c.get("call");
    const principal = c.get("principal");
    const config = settings(c);
    call.subscribe("metering", async ({ status, usage, target, refused, ...served }) => {
      if (refused) return;
      await recordUsage(await openStore(config.database), {
        tenantId: principal.tenantId,
        keyId: principal.keyId,
        route,
        model: call.model,
        target,
        targetVersion: served.targetVersion ?? null,
        targetSha256: served.targetSha256 ?? null,
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        costUsd: costOfCall(config, call.model, target, usage),
        cacheStatus: call.cacheStatus,
        guardrails: call.guardFindings.join(",") || null,
        latencyMs: Math.max(0, Math.round(now() - call.started)),
        status,
        createdAt: new Date(call.started),
      });
    });
    await next();
  };
}
