import type { OpenAPIHono } from "@hono/zod-openapi";
import { completionsRoute } from "../../shared/api/routes.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { createCompletion } from "../gateway/completions.ts";
import { credentialsFor } from "../gateway/credentials.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { parseSiteModel, planSiteRoute } from "../hub/index.ts";
import { streamEndFor } from "../middleware/meter/index.ts";
import { estimateCompletion } from "../routing/estimate.ts";
import { planRoute } from "../routing/plan.ts";

/** Mounts `POST /v1/completions` (legacy; a 400 naming the capability where a provider lacks it). */
export function mountCompletionRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  app.openapi(completionsRoute, async (c) => {
    const req = c.req.valid("json");
    const config = settings(c);
    const credentials = await credentialsFor(config, c.get("principal").tenantId);
    const site = parseSiteModel(req.model) ? await planSiteRoute(c, req.model, deps) : null;
    const plan =
      site?.plan ??
      planRoute(req.model, config.policy, credentials, deps.random, estimateCompletion(req));
    return (await createCompletion(req, plan, site?.deps ?? deps, streamEndFor(c))) as never;
  });
}
