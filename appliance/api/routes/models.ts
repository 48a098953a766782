import type { OpenAPIHono } from "@hono/zod-openapi";
import { modelNotFound } from "../../../shared/api/errors.ts";
import { healthRoute, listModelsRoute, retrieveModelRoute } from "../../../shared/api/routes.ts";
import type { Model, ModelCapability } from "../../../shared/api/schemas/models.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** What every local model serves: chat, embeddings, and JSON by grammar; no images or tools. */
const LOCAL_CAPABILITIES: ModelCapability[] = ["chat", "embeddings", "json"];

/**
 * Mounts `GET /v1/models` and `GET /v1/models/{model}`: the local models, their aliases, and for
 * a model with more than one version each of them (`name@N`; a lone version is its bare name, so
 * the list stays as it was until a second import). Any `name@N` that resolves can be retrieved.
 */
export function mountModelRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { registry }: ApplianceServices,
): void {
  const toModel = (id: string, createdAt: Date): Model => ({
    id,
    object: "model",
    created: Math.floor(createdAt.getTime() / 1000),
    owned_by: "textnlp-appliance",
    capabilities: LOCAL_CAPABILITIES,
  });
  const list = (): Model[] =>
    registry
      .catalog()
      .sort((a, b) => Number(a.alias) - Number(b.alias))
      .map(({ id, createdAt }) => toModel(id, createdAt));
  app.use(listModelsRoute.path, requireScope("models:read"));
  app.use(`${listModelsRoute.path}/*`, requireScope("models:read"));
  app.openapi(listModelsRoute, (c) => c.json({ object: "list" as const, data: list() }, 200));
  app.openapi(retrieveModelRoute, (c) => {
    const { model } = c.req.valid("param");
    const listed = list().find((m) => m.id === model);
    if (listed) return c.json(listed, 200);
    const row = registry.get(model);
    if (!row) throw modelNotFound(model);
    return c.json(toModel(model, row.createdAt), 200);
  });
}

/** Mounts `GET /health` (no auth). */
export function mountHealthRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { lifecycle, host, registry }: ApplianceServices,
): void {
  // The bare name for a copy of the current version (now: a rollback may have come since it
  // loaded), `name@N` for another one.
  const nameOf = ({ row }: (typeof host.loaded)[number]) =>
    registry.currentVersion(row.model) === row.version ? row.model : row.ref;
  app.openapi(healthRoute, (c) =>
    c.json(
      {
        status: lifecycle.draining ? ("degraded" as const) : ("ok" as const),
        version: lifecycle.version,
        uptime_s: Math.round((Date.now() - lifecycle.startedAt) / 1000),
        load: host.loaded.map((m) => ({
          model: nameOf(m),
          active: m.pool.active,
          queued: m.pool.queued,
          capacity: m.pool.size,
        })),
      },
      200,
    ),
  );
}
