import type { OpenAPIHono } from "@hono/zod-openapi";
import { completionsRoute } from "../../shared/api/routes.ts";
import type { EdgeEnv } from "../env.ts";
import { createCompletion } from "../gateway/completions.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { routeFor } from "../gateway/route-for.ts";
import { mountInference } from "../pipeline/index.ts";

/** Mounts `POST /v1/completions` (legacy; a 400 naming the capability where a provider lacks it). */
export function mountCompletionRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  mountInference(
    app,
    {
      route: "completions",
      definition: completionsRoute,
      plan: (c, { request, estimate }) => routeFor(c, request.model, deps, estimate),
      serve: ({ request }, { plan, deps }) => createCompletion(request, plan, deps),
    },
    { now: deps.now, onBodyParsed: deps.onBodyParsed },
  );
}
