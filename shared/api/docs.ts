/**
 * The OpenAPI document and the interactive API docs (Swagger UI), mounted the same way by both
 * servers. Swagger UI's files are served by the server itself under `/docs/assets/`, never from
 * a CDN, so the docs work air-gapped; each runtime says how it reads them (the appliance from
 * disk, the edge from its Worker bundle).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { openApiInfo } from "./routes.ts";

/** The Swagger UI files the page loads (from the `swagger-ui-dist` package), by content type. */
export const DOCS_ASSET_TYPES = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
} as const;
/** One of {@link DOCS_ASSET_TYPES}' files. */
export type DocsAsset = keyof typeof DOCS_ASSET_TYPES;

/** The interactive API docs page; its assets come from `assetBase`. */
export function docsPage({ specUrl, assetBase }: { specUrl: string; assetBase: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TextNLP API</title>
<link rel="stylesheet" href="${assetBase}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec-url="${specUrl}"></div>
<script src="${assetBase}/swagger-ui-bundle.js"></script>
<script src="${assetBase}/init.js"></script>
</body>
</html>`;
}

/** The script that starts Swagger UI on the page (kept out of the HTML for a strict CSP). */
export const docsInitScript = `window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.specUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
});`;

/** Options of {@link mountApiDocs}. */
export interface ApiDocsOptions {
  /** The OpenAPI document's title (which server this is). */
  title: string;
  /** Reads one of Swagger UI's files. */
  readAsset(file: DocsAsset): string | Uint8Array | Promise<string | Uint8Array>;
}

/** Mounts `GET /openapi.json`, the page at `/docs` and its assets at `/docs/assets/*`. */
export function mountApiDocs<E extends Env>(
  app: OpenAPIHono<E>,
  { title, readAsset }: ApiDocsOptions,
): void {
  app.doc31("/openapi.json", { ...openApiInfo, info: { ...openApiInfo.info, title } });
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
    if (!Object.hasOwn(DOCS_ASSET_TYPES, file)) return c.notFound();
    const asset = file as DocsAsset;
    const body = await readAsset(asset);
    return c.body(body as Uint8Array<ArrayBuffer> | string, 200, {
      "content-type": DOCS_ASSET_TYPES[asset],
      "cache-control": "public, max-age=86400",
    });
  });
}
