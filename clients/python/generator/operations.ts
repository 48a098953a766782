/**
 * The client's operations: every operation of either server's document except inference (that
 * is the `openai` package's job) and the link's, named as the TypeScript SDK names them
 * (`shared/sdk/operations.ts`, in snake case: `admin.providerKeys.put` is
 * `client.admin.provider_keys.put`), each knowing which servers serve it.
 */
import { operationsWithoutMethod } from "../../../shared/sdk/coverage.ts";
import { clientOperations } from "../../../shared/sdk/operations.ts";
import type { JsonSchema, OpenApiOperation, ServerDocuments } from "./documents.ts";
import { pascalCase, snakeCase } from "./python-types.ts";

/**
 * Inference, served through the `openai` package (`client.openai()`), so not generated; models
 * and health are not inference and are generated.
 */
export const INFERENCE_OPERATIONS = [
  "POST /v1/chat/completions",
  "POST /v1/completions",
  "POST /v1/embeddings",
];

/**
 * Operations whose raw body the document cannot describe: seed rows are streamed under their own
 * size limit, so the route declares no body (its description names the types).
 */
const RAW_BODIES: Record<string, string[]> = {
  "POST /v1/seed-rows": ["application/x-ndjson", "text/csv"],
};

/** How an operation answers. */
export type ResultKind = "json" | "empty" | "events" | "text" | "bytes";

/** One generated operation. */
export interface Operation {
  /** `"METHOD /path"`. */
  key: string;
  method: string;
  path: string;
  /** The Python method's path on the client: `["admin", "provider_keys", "put"]`. */
  name: string[];
  /** Which halves serve it. */
  servers: ("appliance" | "edge")[];
  definition: OpenApiOperation;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; required: boolean; schema: JsonSchema }[];
  /** A JSON body's schema, or the content types of a raw one. */
  body: { json: JsonSchema } | { raw: string[] } | null;
  resultKind: ResultKind;
  /** The success answer's schema (JSON, or each event's). */
  result: JsonSchema | null;
}

/** The TS SDK's name of each operation, by `"METHOD /path"` (its streaming twins left out). */
function sdkNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, route] of Object.entries(clientOperations)) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    if (!names.has(key)) names.set(key, name);
  }
  return names;
}

function resultOf(definition: OpenApiOperation): Pick<Operation, "resultKind" | "result"> {
  const [status, response] =
    Object.entries(definition.responses).find(([code]) => code.startsWith("2")) ?? [];
  const content = response?.content ?? {};
  const types = Object.keys(content);
  if (status === "204" || types.length === 0) return { resultKind: "empty", result: null };
  if (types.includes("application/json"))
    return { resultKind: "json", result: content["application/json"]?.schema ?? null };
  if (types.includes("text/event-stream"))
    return { resultKind: "events", result: content["text/event-stream"]?.schema ?? null };
  const binary = types.some((type) => content[type]?.schema.format === "binary");
  return { resultKind: binary ? "bytes" : "text", result: null };
}

function bodyOf(key: string, definition: OpenApiOperation): Operation["body"] {
  if (RAW_BODIES[key]) return { raw: RAW_BODIES[key] };
  const content = definition.requestBody?.content;
  if (!content) return null;
  const json = content["application/json"];
  return json ? { json: json.schema } : { raw: Object.keys(content) };
}

/**
 * The operations of both documents, sorted by name. Throws naming any operation that is neither
 * named by the TS SDK nor excluded, and any operation the two servers define differently.
 */
export function collectOperations(documents: ServerDocuments): Operation[] {
  const names = sdkNames();
  const byKey = new Map<string, Operation>();
  const unnamed: string[] = [];
  for (const server of ["appliance", "edge"] as const) {
    for (const [path, item] of Object.entries(documents[server].paths)) {
      for (const [method, definition] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (INFERENCE_OPERATIONS.includes(key) || Object.hasOwn(operationsWithoutMethod, key))
          continue;
        const known = byKey.get(key);
        if (known) {
          if (JSON.stringify(known.definition) !== JSON.stringify(definition))
            throw new Error(`${key} differs between the appliance's and the edge's documents`);
          known.servers.push(server);
          continue;
        }
        const name = names.get(key);
        if (!name) {
          unnamed.push(key);
          continue;
        }
        const parameters = definition.parameters ?? [];
        byKey.set(key, {
          key,
          method: method.toUpperCase(),
          path,
          name: name.split(".").map(snakeCase),
          servers: [server],
          definition,
          pathParams: parameters.filter((p) => p.in === "path"),
          queryParams: parameters
            .filter((p) => p.in === "query")
            .map((p) => ({ name: p.name, required: p.required ?? false, schema: p.schema })),
          body: bodyOf(key, definition),
          ...resultOf(definition),
        });
      }
    }
  }
  if (unnamed.length > 0)
    throw new Error(
      `No client method name for ${unnamed.join(", ")}: add it to shared/sdk/operations.ts`,
    );
  return [...byKey.values()].sort((a, b) => a.name.join(".").localeCompare(b.name.join(".")));
}

/** The class name of a resource (`["admin", "provider_keys"]` → `AdminProviderKeysApi`). */
export function resourceClass(path: string[]): string {
  return path.length === 0 ? "ClientApi" : `${path.map(pascalCase).join("")}Api`;
}
