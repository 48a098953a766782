import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { getAbsoluteFSPath } from "swagger-ui-dist";
import { docsInitScript, docsPage } from "../../../shared/api/docs.ts";
import { openApiInfo } from "../../../shared/api/routes.ts";
import type { ApplianceEnv } from "../types.ts";

const assets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

/** Mounts `GET /openapi.json` and the docs at `/docs`, with Swagger UI served locally. */
export function mountDocsRoutes(app: OpenAPIHono<ApplianceEnv>): void {
  app.doc31("/openapi.json", {
    ...openApiInfo,
    info: { ...openApiInfo.info, title: "TextNLP appliance API" },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
  });
  app.get("/docs", (c) =>
    c.html(docsPage({ specUrl: "/openapi.json", assetBase: "/docs/assets" })),
  );
  app.get("/docs/assets/init.js", (c) =>
    c.body(docsInitScript, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = assets[file];
    if (!type) return c.notFound();
    const body = await readFile(join(getAbsoluteFSPath(), file));
    return c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
}
