import type { OpenAPIHono } from "@hono/zod-openapi";
import { healthRoute } from "../../shared/api/routes.ts";
import type { EdgeEnv } from "../env.ts";

const startedAt = Date.now();

/** Mounts `GET /health`. */
export function mountHealthRoutes(app: OpenAPIHono<EdgeEnv>): void {
  app.openapi(healthRoute, (c) =>
    c.json(
      {
        status: "ok" as const,
        version: "0.1.0",
        uptime_s: Math.round((Date.now() - startedAt) / 1000),
      },
      200,
    ),
  );
}
