import type { OpenAPIHono } from "@hono/zod-openapi";
import { chatCompletionsRoute } from "../../shared/api/routes.ts";
import type { EdgeEnv } from "../env.ts";
import { createChatCompletion } from "../gateway/chat.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { routeFor } from "../gateway/route-for.ts";
import { streamEndFor } from "../middleware/meter/index.ts";
import { estimateChat } from "../routing/estimate.ts";

/** Mounts `POST /v1/chat/completions`, routed by model name to a provider chain. */
export function mountChatRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  app.openapi(chatCompletionsRoute, async (c) => {
    const req = c.req.valid("json");
    const route = await routeFor(c, req.model, deps, estimateChat(req));
    // The gateway builds its own Response (SSE or JSON with the target header).
    return (await createChatCompletion(req, route.plan, route.deps, streamEndFor(c))) as never;
  });
}
