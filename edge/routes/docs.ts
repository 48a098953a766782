import type { OpenAPIHono } from "@hono/zod-openapi";
import { openApiInfo } from "../../shared/api/routes.ts";
import type { EdgeEnv } from "../env.ts";

/** Mounts `GET /openapi.json`: the edge's routes, from the same shared definitions. */
export function mountDocsRoutes(app: OpenAPIHono<EdgeEnv>): void {
  app.doc31("/openapi.json", {
    ...openApiInfo,
    info: { ...openApiInfo.info, title: "TextNLP edge API" },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
  });
}
