import type { OpenAPIHono } from "@hono/zod-openapi";
import { chatCompletionsRoute } from "../../shared/api/routes.ts";
import type { EdgeEnv } from "../env.ts";
import { createChatCompletion } from "../gateway/chat.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { routeFor } from "../gateway/route-for.ts";
import { mountInference } from "../pipeline/index.ts";

/** Mounts `POST /v1/chat/completions`, routed by model name to a provider chain. */
export function mountChatRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  mountInference(
    app,
    {
      route: "chat",
      definition: chatCompletionsRoute,
      plan: (c, { request, estimate }) => routeFor(c, request.model, deps, estimate),
      serve: ({ request }, { plan, deps }) => createChatCompletion(request, plan, deps),
    },
    { now: deps.now, onBodyParsed: deps.onBodyParsed },
  );
}
