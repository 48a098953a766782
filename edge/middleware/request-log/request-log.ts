/**
 * The request log: one JSON line per request, written with `console.log` so that Workers Logs
 * indexes its fields and Logpush (Workers trace events) carries it. An inference call's line is
 * written when the call ends (a stream's when it finishes, so its tokens are known) and lists
 * the model asked, the target that answered, every attempt, the cache's verdict, tokens, cost
 * and time to first byte; any other request's line is shorter. `REQUEST_LOG` turns it down to
 * failed requests, or off.
 */
import type { Context, MiddlewareHandler } from "hono";
import { traceIdOf } from "../../../shared/tracing/traceparent.ts";
import { type EdgeEnv, type EdgeSettings, settings } from "../../env.ts";
import type { CallRecord } from "../../inference/call-record.ts";
import { inBackground } from "../../lib/background.ts";
import { setAnswerHeaders } from "../../lib/headers.ts";
import type { RequestLogLevel } from "./level.ts";
import { elapsedMs, inferenceLine, type RequestLine, requestLine } from "./line.ts";

/** Options of {@link requestLog}. */
export interface RequestLogOptions {
  now?: () => number;
}

/** The settings, or null when they cannot be read (that request fails with a 500 anyway). */
function settingsOrNull(c: Context<EdgeEnv>): EdgeSettings | null {
  try {
    return settings(c);
  } catch {
    return null;
  }
}

/** The code (or type) of an error answer's envelope, read from a copy of it. */
async function errorCodeOf(res: Response): Promise<string | undefined> {
  if (res.status < 400 || !res.headers.get("content-type")?.includes("json")) return undefined;
  try {
    const { error } = (await res.json()) as { error?: { code?: unknown; type?: unknown } };
    const code = error?.code ?? error?.type;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

const write = (line: RequestLine) => console.log(JSON.stringify(line));

const REQUEST_ID_HEADER = "x-request-id";

/**
 * Puts the request id on the answer. Hono's `requestId` sets it on the context's prepared
 * headers, which an answer built as a `Response` (every inference route's, every error's)
 * never receives. A WebSocket upgrade (101) is left as it is: copying it would drop its socket.
 */
function answerRequestId(c: Context<EdgeEnv>): void {
  if (c.res.status === 101 || c.res.headers.has(REQUEST_ID_HEADER)) return;
  setAnswerHeaders(c, { [REQUEST_ID_HEADER]: c.get("requestId") });
}

const wanted = (level: RequestLogLevel, status: number) =>
  level === "all" || (level === "errors" && status >= 400);

/**
 * The request-log middleware: first after the request id, so it sees every answer (and makes
 * sure each carries that id).
 */
export function requestLog({ now = Date.now }: RequestLogOptions = {}): MiddlewareHandler<EdgeEnv> {
  return async function requestLogHandler(c, next) {
    const started = now();
    c.set("traceId", traceIdOf(c.req.header("traceparent")));
    const config = settingsOrNull(c);
    const level = config?.requestLog ?? "all";
    await next();
    answerRequestId(c);
    if (level === "off") return;
    const answered = elapsedMs(started, now());
    const status = c.res.status;
    // Read from a copy now, while the answer is still unread.
    const errorCode = status >= 400 ? errorCodeOf(c.res.clone()) : undefined;
    const call = c.get("call") as CallRecord | undefined;
    if (!call) {
      if (!wanted(level, status)) return;
      if (!errorCode) return write(requestLine(c, status, answered, undefined));
      const logged = errorCode.then((error) => write(requestLine(c, status, answered, error)));
      return inBackground(c, "request log", logged);
    }
    const streamed = c.res.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
    const logged = call.ended.then(async (end) => {
      const latencyMs = elapsedMs(started, now());
      if (!wanted(level, end.status)) return;
      const error = end.error ?? (end.status >= 400 ? await errorCode : undefined);
      const base = requestLine(c, end.status, latencyMs, error);
      write(inferenceLine(base, { call, end, streamed, ttfbMs: answered, pricing: config }));
    });
    await inBackground(c, "request log", logged);
  };
}
