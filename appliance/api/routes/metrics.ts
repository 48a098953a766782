import type { OpenAPIHono } from "@hono/zod-openapi";
import { isLoopback } from "../../config.ts";
import { apiKeyAuth, requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/**
 * Mounts `GET /metrics` (Prometheus text). Scraping follows the API's rule: open on a loopback
 * bind with no keys configured, else an API key with the `metrics` scope (a key holding only
 * that scope is what a Prometheus server should be given).
 */
export function mountMetricsRoute(
  app: OpenAPIHono<ApplianceEnv>,
  { config, db, metrics }: ApplianceServices,
): void {
  if (!metrics) return;
  app.use(
    "/metrics",
    apiKeyAuth({ db, loopback: isLoopback(config.host), secure: Boolean(config.tls) }),
  );
  app.use("/metrics", requireScope("metrics"));
  app.get("/metrics", async (c) => {
    const { body, contentType } = await metrics.scrape();
    return c.body(body, 200, { "Content-Type": contentType });
  });
}
