import type { OpenAPIHono } from "@hono/zod-openapi";
import { embeddingsRoute } from "../../shared/api/routes.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { credentialsFor } from "../gateway/credentials.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { createEmbeddings } from "../gateway/embeddings.ts";
import { estimateEmbeddings } from "../routing/estimate.ts";
import { planRoute } from "../routing/plan.ts";

/** Mounts `POST /v1/embeddings`, routed by model name like chat. */
export function mountEmbeddingRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  app.openapi(embeddingsRoute, async (c) => {
    const req = c.req.valid("json");
    const config = settings(c);
    const credentials = await credentialsFor(config, c.get("principal").tenantId);
    const plan = planRoute(
      req.model,
      config.policy,
      credentials,
      deps.random,
      estimateEmbeddings(req),
    );
    return (await createEmbeddings(req, plan, deps)) as never;
  });
}
