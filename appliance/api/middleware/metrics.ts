import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { ApplianceMetrics } from "../../metrics/metrics.ts";
import type { ApplianceEnv } from "../types.ts";

/**
 * Observes every request's latency (to the end of its stream) by route pattern, model and version
 * (a failed request counts under its model once resolved, by its status), and
 * counts capacity refusals. Route patterns, not paths, keep label cardinality bounded.
 */
export function httpMetrics(metrics: ApplianceMetrics): MiddlewareHandler<ApplianceEnv> {
  return async function httpMetricsHandler(c, next) {
    const started = performance.now();
    await next();
    const record = () => {
      const status = c.res.status;
      const route = routePath(c, -1);
      const served = c.get("provenance");
      metrics.requestDuration.observe(
        {
          method: c.req.method,
          route,
          model: served?.name ?? c.get("model") ?? "",
          version: served?.version?.toString() ?? "",
          status: String(status),
        },
        (performance.now() - started) / 1000,
      );
      if (status === 429 || status === 503) metrics.rejected.inc({ route, status: String(status) });
    };
    const streamDone = c.get("streamDone");
    if (streamDone) void streamDone.finally(record);
    else record();
  };
}
