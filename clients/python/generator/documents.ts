/**
 * Both servers' OpenAPI documents, built without a server listening: the appliance's app in this
 * process (its routes register at assembly; nothing is loaded or served), the edge's in workerd
 * (Miniflare, as the end-to-end tests run it: the edge app cannot be built in Node).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createApplianceApp } from "../../../appliance/api/app.ts";
import type { ApplianceServices } from "../../../appliance/api/types.ts";
import { loadConfig } from "../../../appliance/config.ts";
import { openStore } from "../../../appliance/store/db.ts";
import { startEdgeWorker } from "../../../test/helpers/edge.ts";

/** The parts of an OpenAPI 3.1 document the generator reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One operation of a document. */
export interface OpenApiOperation {
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    in: "path" | "query" | "header";
    required?: boolean;
    schema: JsonSchema;
  }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema: JsonSchema }> }
  >;
}

/** A JSON Schema as zod-openapi writes it (the keywords read here). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  description?: string;
}

/** The appliance's and the edge's `/openapi.json`. */
export interface ServerDocuments {
  appliance: OpenApiDocument;
  edge: OpenApiDocument;
}

/** The appliance's document, from its app assembled around an empty in-memory database. */
export async function applianceDocument(): Promise<OpenApiDocument> {
  const dataDir = mkdtempSync(join(tmpdir(), "textnlp-openapi-"));
  const store = openStore(":memory:");
  try {
    // Only what assembling the app touches: route handlers (which use the engine, the jobs and
    // the registry) never run, since only the document is asked for.
    const services = {
      config: loadConfig({ dataDir }, {}),
      logger: pino({ level: "silent" }),
      db: store.db,
      lifecycle: { draining: false, startedAt: Date.now(), version: "openapi" },
    } as unknown as ApplianceServices;
    const res = await createApplianceApp(services).request("/openapi.json");
    return (await res.json()) as OpenApiDocument;
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The edge's document, from the bundled Worker in Miniflare. */
export async function edgeDocument(): Promise<OpenApiDocument> {
  const edge = await startEdgeWorker({});
  try {
    return (await (await edge.fetch("http://edge/openapi.json")).json()) as OpenApiDocument;
  } finally {
    await edge.dispose();
  }
}

/** Both documents. */
export async function serverDocuments(): Promise<ServerDocuments> {
  return { appliance: await applianceDocument(), edge: await edgeDocument() };
}
