/**
 * How much of an OpenAPI document the client covers: the tests of both servers walk their real
 * `/openapi.json` with {@link uncoveredOperations}, so a route added to either server (or to
 * `shared/api`) without a client method fails a test by name.
 */
import { clientOperations, type OperationName } from "./operations.ts";

/** The part of an OpenAPI document that is read here. */
export interface OpenApiPaths {
  paths?: Record<string, object | undefined>;
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * Operations deliberately without a client method, `"METHOD /path"` → why. Each must still be
 * in a document (the unit test checks against every route defined in `shared/api`), so an entry
 * cannot outlive its route.
 */
export const operationsWithoutMethod: Readonly<Record<string, string>> = {
  // The link's two endpoints are the appliance's side of the hybrid link (appliance/link), not
  // calls an API client makes: enroll exchanges a one-time code for the site credential.
  "POST /link/v1/enroll": "the appliance's enrollment (appliance/link), not an API call",
  // A WebSocket upgrade carrying shared/protocol frames; fetch cannot make it.
  "GET /link/v1/connect": "the appliance's link WebSocket (appliance/link)",
};

/** Every operation of a document, as `"METHOD /path"` (OpenAPI's `{param}` path syntax). */
export function documentOperations(document: OpenApiPaths): string[] {
  const operations: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of Object.keys(item ?? {})) {
      if (HTTP_METHODS.includes(method)) operations.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return operations.sort();
}

/** The client methods calling each operation, by `"METHOD /path"`. */
export function clientMethodsByOperation(): Map<string, OperationName[]> {
  const byOperation = new Map<string, OperationName[]>();
  for (const [name, route] of Object.entries(clientOperations)) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    byOperation.set(key, [...(byOperation.get(key) ?? []), name as OperationName]);
  }
  return byOperation;
}

/** The document's operations that no client method calls and that are not excluded. */
export function uncoveredOperations(document: OpenApiPaths): string[] {
  const covered = clientMethodsByOperation();
  return documentOperations(document).filter(
    (operation) => !covered.has(operation) && !Object.hasOwn(operationsWithoutMethod, operation),
  );
}
