import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { getAbsoluteFSPath } from "swagger-ui-dist";
import { mountApiDocs } from "../../../shared/api/docs.ts";
import type { ApplianceEnv } from "../types.ts";

/** Mounts `GET /openapi.json` and the docs at `/docs`, Swagger UI read from its npm package. */
export function mountDocsRoutes(app: OpenAPIHono<ApplianceEnv>): void {
  mountApiDocs(app, {
    title: "TextNLP appliance API",
    readAsset: (file) => readFile(join(getAbsoluteFSPath(), file)),
  });
}
