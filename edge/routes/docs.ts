import type { OpenAPIHono } from "@hono/zod-openapi";
import swaggerUiCss from "swagger-ui-dist/swagger-ui.css";
// Text modules (wrangler.toml `[[rules]]`): Swagger UI ships inside the Worker bundle.
import swaggerUiBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import { type DocsAsset, mountApiDocs } from "../../shared/api/docs.ts";
import type { EdgeEnv } from "../env.ts";

const bundled: Record<DocsAsset, string> = {
  "swagger-ui.css": swaggerUiCss,
  "swagger-ui-bundle.js": swaggerUiBundle,
};

/** Mounts `GET /openapi.json` and the docs at `/docs`, with Swagger UI from the bundle. */
export function mountDocsRoutes(app: OpenAPIHono<EdgeEnv>): void {
  mountApiDocs(app, { title: "TextNLP edge API", readAsset: (file) => bundled[file] });
}
