/**
 * The client's requests, each built from the route definition its method names in
 * `clientOperations`: method and path from the route, path parameters filled in, the query and
 * JSON body from the caller, errors thrown as `TextNlpError`.
 */
import { errorFromResponse } from "./errors.ts";
import {
  clientOperations,
  type OperationName,
  type OperationParams,
  type OperationQuery,
  type OperationResult,
} from "./operations.ts";
import { sseJson } from "./sse.ts";

/** Options of {@link createClient}. */
export interface TextNlpClientOptions {
  /** The server's root URL (`http://127.0.0.1:8080`), without `/v1`. */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/** What one call sends besides the route's method and path. */
export interface CallArgs<N extends OperationName> {
  params?: OperationParams<N>;
  query?: OperationQuery<N>;
  /** JSON, or a raw body (JSONL, CSV, a byte stream) with its `contentType`. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/** The query string of the defined values, with its `?` (empty when there are none). */
export function queryString(params: object = {}): string {
  const entries = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): [string, string] => [k, String(v)]);
  return entries.length ? `?${new URLSearchParams(entries)}` : "";
}

/** The route's path with its `{name}` parameters filled in (encoded). */
export function routePath(path: string, params: object = {}): string {
  const values = params as Record<string, string | number>;
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" of ${path}`);
    return encodeURIComponent(String(value));
  });
}

/** The requests of one client (one server, one set of credentials). */
export function createTransport(options: TextNlpClientOptions) {
  const doFetch =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const root = options.baseUrl.replace(/\/+$/, "");

  /** Sends the operation's request; a non-2xx answer is thrown as a `TextNlpError`. */
  async function send<N extends OperationName>(name: N, args: CallArgs<N> = {}): Promise<Response> {
    const route = clientOperations[name];
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    const raw = args.contentType !== undefined;
    let body: BodyInit | undefined;
    if (args.body !== undefined) {
      headers["content-type"] = args.contentType ?? "application/json";
      body = raw ? (args.body as BodyInit) : JSON.stringify(args.body);
    }
    const url = `${root}${routePath(route.path, args.params ?? {})}${queryString(args.query ?? {})}`;
    const res = await doFetch(url, {
      method: route.method.toUpperCase(),
      headers,
      body,
      signal: args.signal,
      // Streamed uploads need half-duplex in Node's fetch.
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  /** Sends the operation's request and reads its JSON answer (nothing for a 204). */
  async function call<N extends OperationName, T = OperationResult<N>>(
    name: N,
    args: CallArgs<N> = {},
  ): Promise<T> {
    const res = await send(name, args);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /**
   * The operation's server-sent events, parsed as JSON, until `[DONE]`; an in-band error is
   * thrown. The request is sent when iteration starts.
   */
  async function* events<T>(
    name: OperationName,
    args: CallArgs<OperationName> = {},
  ): AsyncGenerator<T> {
    const res = await send(name, args);
    yield* sseJson<T>(res.body as ReadableStream<Uint8Array>, args.signal);
  }

  return { send, call, events };
}
