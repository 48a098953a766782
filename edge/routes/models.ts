import type { OpenAPIHono } from "@hono/zod-openapi";
import { listModelsRoute } from "../../shared/api/routes.ts";
import { models } from "../../shared/db/schema/index.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { credentialsFor } from "../gateway/credentials.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { listProviderModels, type ModelListCache } from "../gateway/models.ts";
import { listSiteModels } from "../hub/index.ts";
import { openStore } from "../store/db.ts";

/**
 * Mounts `GET /v1/models`: the models registered in D1, the routing policy's aliases, and each
 * configured provider's models as `provider/model`, and the models of the sites the tenant may
 * use (served by an online appliance) as `site:<site>/<model>`.
 */
export function mountModelRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  const cache: ModelListCache = new Map();
  app.openapi(listModelsRoute, async (c) => {
    const config = settings(c);
    const db = await openStore(config.database);
    const credentials = await credentialsFor(config, c.get("principal").tenantId);
    const [rows, remote, sites] = await Promise.all([
      db.select().from(models),
      listProviderModels(credentials, deps, cache),
      listSiteModels(c, deps.now()),
    ]);
    const created = Math.floor(deps.now() / 1000);
    return c.json(
      {
        object: "list" as const,
        data: [
          ...rows.map((row) => ({
            id: row.name,
            object: "model" as const,
            created: Math.floor(row.createdAt.getTime() / 1000),
            owned_by: "textnlp",
          })),
          ...Object.keys(config.policy.aliases).map((id) => ({
            id,
            object: "model" as const,
            created,
            owned_by: "textnlp",
          })),
          ...remote,
          ...sites,
        ],
      },
      200,
    );
  });
}
