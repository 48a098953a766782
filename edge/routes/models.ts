import type { OpenAPIHono } from "@hono/zod-openapi";
import { drizzle } from "drizzle-orm/d1";
import { listModelsRoute } from "../../shared/api/routes.ts";
import * as schema from "../../shared/db/schema/index.ts";
import { type EdgeEnv, settings } from "../env.ts";

/** Mounts `GET /v1/models`: for now the models registered in D1. */
export function mountModelRoutes(app: OpenAPIHono<EdgeEnv>): void {
  app.openapi(listModelsRoute, async (c) => {
    const db = drizzle(settings(c).db, { schema });
    const rows = await db.select().from(schema.models).all();
    return c.json(
      {
        object: "list" as const,
        data: rows.map((row) => ({
          id: row.name,
          object: "model" as const,
          created: Math.floor(row.createdAt.getTime() / 1000),
          owned_by: "textnlp",
        })),
      },
      200,
    );
  });
}
