/**
 * Every route defined in `shared/api` has a client method. The document walked here is built in
 * Node, without a server, from every route object any module under `shared/api/` exports (found
 * by walking the folder, so a new route module is picked up without being listed); the servers'
 * own `/openapi.json` are walked by `edge/sdk.test.ts` (workerd: the edge app cannot be built in
 * Node) and `test/appliance/sdk.test.ts` (the real daemon), which also catch routes a server
 * defines for itself.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { openApiInfo } from "../api/routes.ts";
import { createClient } from "./client.ts";
import { documentOperations, operationsWithoutMethod, uncoveredOperations } from "./coverage.ts";
import { clientOperations } from "./operations.ts";

const apiDir = join(dirname(fileURLToPath(import.meta.url)), "..", "api");

/** What `createRoute` returns: a route config with its routing-path helper. */
function isRoute(value: unknown): value is RouteConfig {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { getRoutingPath?: unknown }).getRoutingPath === "function" &&
    typeof (value as { path?: unknown }).path === "string"
  );
}

/** The OpenAPI document of every route defined under `shared/api/`. */
async function sharedRoutesDocument() {
  const app = new OpenAPIHono();
  const seen = new Set<RouteConfig>();
  const files = readdirSync(apiDir, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts"),
  );
  for (const file of files) {
    const module = (await import(pathToFileURL(join(apiDir, file)).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(module)) {
      if (isRoute(value) && !seen.has(value)) {
        seen.add(value);
        app.openAPIRegistry.registerPath(value);
      }
    }
  }
  return app.getOpenAPI31Document(openApiInfo);
}

describe("the SDK's coverage of the routes in shared/api", () => {
  it("has a client method for every operation", async () => {
    const document = await sharedRoutesDocument();
    // The walk found the routes (a broken walk would pass vacuously).
    expect(documentOperations(document)).toContain("POST /v1/jobs/estimate");
    expect(uncoveredOperations(document)).toEqual([]);
  });

  it("excludes only operations that still exist", async () => {
    const operations = documentOperations(await sharedRoutesDocument());
    const stale = Object.keys(operationsWithoutMethod).filter((op) => !operations.includes(op));
    expect(stale).toEqual([]);
  });

  it("names, for each operation, a method the client has", () => {
    const client = createClient({ baseUrl: "http://unused" }) as unknown as Record<string, unknown>;
    const missing = Object.keys(clientOperations).filter((name) => {
      const method = name
        .split(".")
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], client);
      return typeof method !== "function";
    });
    expect(missing).toEqual([]);
  });
});
