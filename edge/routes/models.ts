import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { modelNotFound } from "../../shared/api/errors.ts";
import { listModelsRoute, retrieveModelRoute } from "../../shared/api/routes.ts";
import type { Model } from "../../shared/api/schemas/models.ts";
import { models } from "../../shared/db/schema/index.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { credentialsFor } from "../gateway/credentials.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { listProviderModels, type ModelListCache } from "../gateway/models.ts";
import { listSiteModels } from "../hub/index.ts";
import { describeModel } from "../providers/catalogue.ts";
import { openStore } from "../store/db.ts";

/**
 * Mounts `GET /v1/models` and `GET /v1/models/{model}`: the models registered in D1, the
 * routing policy's aliases, each configured provider's models as `provider/model`, and the
 * models of the sites the tenant may use (served by an online appliance) as
 * `site:<site>/<model>`; with capabilities and context windows where the model catalogue
 * knows them (for an alias, from its targets).
 */
export function mountModelRoutes(app: OpenAPIHono<EdgeEnv>, deps: GatewayDeps): void {
  const cache: ModelListCache = new Map();

  async function listModels(c: Context<EdgeEnv>): Promise<Model[]> {
    const config = settings(c);
    const db = await openStore(config.database);
    const credentials = await credentialsFor(config, c.get("principal").tenantId);
    const [rows, remote, sites] = await Promise.all([
      db.select().from(models),
      listProviderModels(credentials, deps, cache, config.catalogue),
      listSiteModels(c, deps.now()),
    ]);
    const created = Math.floor(deps.now() / 1000);
    const described = (model: Model, targets: readonly string[]): Model => ({
      ...model,
      ...describeModel(config.catalogue, targets),
    });
    return [
      ...rows.map((row) => ({
        id: row.name,
        object: "model" as const,
        created: Math.floor(row.createdAt.getTime() / 1000),
        owned_by: "textnlp",
      })),
      ...Object.entries(config.policy.aliases).map(([id, alias]) =>
        described(
          { id, object: "model" as const, created, owned_by: "textnlp" },
          alias.targets.map((t) => t.model),
        ),
      ),
      ...remote.map((model) => described(model, [model.id])),
      ...sites,
    ];
  }

  app.openapi(listModelsRoute, async (c) =>
    c.json({ object: "list" as const, data: await listModels(c) }, 200),
  );

  app.openapi(retrieveModelRoute, async (c) => {
    const { model } = c.req.valid("param");
    const found = (await listModels(c)).find((m) => m.id === model);
    if (!found) throw modelNotFound(model);
    return c.json(found, 200);
  });
}
