import type { OpenAPIHono } from "@hono/zod-openapi";
import { completionsRoute } from "../../shared/api/routes.ts";
import type { EdgeEnv } from "../env.ts";
import { createCompletion } from "../gateway/completions.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { routeFor } from "../gateway/route-for.ts";
import { streamEndFor } from "../middleware/meter/index.ts";
import { estimateCompletion } from "../routing/estimate.ts";

/** Mounts `POST /v1/completions` (legacy; a 400 naming the capability where a provider lacks it). */
export function mountCompletionRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  app.openapi(completionsRoute, async (c) => {
    const req = c.req.valid("json");
    const route = await routeFor(c, req.model, deps, estimateCompletion(req));
    // The gateway builds its own Response (SSE or JSON with the target header).
    return (await createCompletion(req, route.plan, route.deps, streamEndFor(c))) as never;
  });
}
