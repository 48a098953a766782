import type { OpenAPIHono } from "@hono/zod-openapi";
import { healthRoute, listModelsRoute } from "../../../shared/api/routes.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** Mounts `GET /v1/models`. */
export function mountModelRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { registry }: ApplianceServices,
): void {
  app.use(listModelsRoute.path, requireScope("models:read"));
  app.openapi(listModelsRoute, (c) =>
    c.json(
      {
        object: "list" as const,
        data: [
          ...registry.list().map((row) => ({ id: row.name, createdAt: row.createdAt })),
          ...registry.aliases().map((a) => ({ id: a.alias, createdAt: a.createdAt })),
        ].map(({ id, createdAt }) => ({
          id,
          object: "model" as const,
          created: Math.floor(createdAt.getTime() / 1000),
          owned_by: "textnlp-appliance",
        })),
      },
      200,
    ),
  );
}

/** Mounts `GET /health` (no auth). */
export function mountHealthRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { lifecycle, host }: ApplianceServices,
): void {
  app.openapi(healthRoute, (c) =>
    c.json(
      {
        status: lifecycle.draining ? ("degraded" as const) : ("ok" as const),
        version: lifecycle.version,
        uptime_s: Math.round((Date.now() - lifecycle.startedAt) / 1000),
        load: host.loaded.map((m) => ({
          model: m.row.name,
          active: m.pool.active,
          queued: m.pool.queued,
          capacity: m.pool.size,
        })),
      },
      200,
    ),
  );
}
