import type { OpenAPIHono } from "@hono/zod-openapi";
import { embeddingsRoute } from "../../shared/api/routes.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { credentialsFor } from "../gateway/credentials.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { createEmbeddings } from "../gateway/embeddings.ts";
import { mountInference } from "../pipeline/index.ts";
import { planRoute } from "../routing/plan.ts";

/** Mounts `POST /v1/embeddings`, routed by model name like chat (no `site:` models yet). */
export function mountEmbeddingRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  mountInference(
    app,
    {
      route: "embeddings",
      definition: embeddingsRoute,
      plan: async (c, { request, estimate }) => {
        const config = settings(c);
        const credentials = await credentialsFor(config, c.get("principal").tenantId);
        const plan = planRoute(request.model, config.policy, credentials, deps.random, {
          estimate,
          // A chat model named here is a clear 400, not a provider's error.
          needs: { capabilities: ["embeddings"], catalogue: config.catalogue },
        });
        return { plan, deps };
      },
      serve: ({ request }, { plan, deps }) => createEmbeddings(request, plan, deps),
    },
    { now: deps.now, onBodyParsed: deps.onBodyParsed },
  );
}
