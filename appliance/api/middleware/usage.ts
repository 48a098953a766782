import type { Context, MiddlewareHandler } from "hono";
import type { UsageMeter } from "../../metrics/usage-meter.ts";
import type { ApplianceEnv } from "../types.ts";

/** The generating routes and their `usage_events.route`. */
const METERED_ROUTES: Record<string, string> = {
  "/v1/chat/completions": "chat",
  "/v1/completions": "completions",
  "/v1/embeddings": "embeddings",
};

/** The model the body names, kept for the row even when the body is invalid (as the edge does). */
async function requestedModel(c: Context<ApplianceEnv>): Promise<string | undefined> {
  // The validator's parse is cached on the request: no second read of the body.
  const body: unknown = await c.req.json().catch(() => undefined);
  const model = (body as { model?: unknown } | undefined)?.model;
  return typeof model === "string" ? model.slice(0, 256) : undefined;
}

/**
 * Meters every call to a generating route as the edge does (tenant, key, requested model, the
 * model that answered, tokens, status, latency), once its answer is complete: a stream when it
 * ends, with the status it really ended with. Refusals by authentication or scope (401, 403)
 * and calls turned away while draining are not metered: they never reach a model, as on the
 * edge, where those checks come before the metered pipeline. There is no price on the
 * appliance, so `cost_usd` stays null, as the edge leaves it for unpriced models.
 */
export function meterUsage({ meter }: { meter: UsageMeter }): MiddlewareHandler<ApplianceEnv> {
  return async function meterUsageHandler(c, next) {
    const route = c.req.method === "POST" ? METERED_ROUTES[c.req.path] : undefined;
    if (!route) return next();
    const startedAt = Date.now();
    const started = performance.now();
    await next();
    const principal = c.get("principal") as ApplianceEnv["Variables"]["principal"] | undefined;
    if (!principal || c.res.status === 401 || c.res.status === 403) return;
    const model = (await requestedModel(c)) ?? c.get("model") ?? "";
    const write = () => {
      const usage = c.get("usage");
      const served = c.get("provenance");
      meter.record({
        tenantId: principal.tenantId,
        keyId: principal.keyId,
        route,
        model,
        target: c.get("model") ?? null,
        targetVersion: served?.version ?? null,
        targetSha256: served?.sha256 ?? null,
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        latencyMs: Math.max(0, Math.round(performance.now() - started)),
        status: c.get("streamStatus") ?? c.res.status,
        createdAt: new Date(startedAt),
      });
    };
    const streamDone = c.get("streamDone");
    if (streamDone) void streamDone.finally(write);
    else write();
  };
}
