import type { OpenAPIHono } from "@hono/zod-openapi";
import { chatCompletionsRoute } from "../../shared/api/routes.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { createChatCompletion } from "../gateway/chat.ts";
import { credentialsFor } from "../gateway/credentials.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { parseSiteModel, planSiteRoute } from "../hub/index.ts";
import { streamEndFor } from "../middleware/meter/index.ts";
import { estimateChat } from "../routing/estimate.ts";
import { planRoute } from "../routing/plan.ts";

/** Mounts `POST /v1/chat/completions`, routed by model name to a provider chain. */
export function mountChatRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  app.openapi(chatCompletionsRoute, async (c) => {
    const req = c.req.valid("json");
    const config = settings(c);
    const credentials = await credentialsFor(config, c.get("principal").tenantId);
    // A site's appliances are reached over the hybrid link (edge/hub), otherwise by the policy.
    const site = parseSiteModel(req.model) ? await planSiteRoute(c, req.model, deps) : null;
    const plan =
      site?.plan ??
      planRoute(req.model, config.policy, credentials, deps.random, estimateChat(req));
    // The gateway builds its own Response (SSE or JSON with the target header).
    return (await createChatCompletion(req, plan, site?.deps ?? deps, streamEndFor(c))) as never;
  });
}
