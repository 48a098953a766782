/**
 * The request log's lines: plain objects of identifiers, numbers and codes only. Nothing from
 * a request's body or its credentials is ever copied in (no prompt, completion, key, token or
 * provider key): the fields are picked one by one here, never spread from the request.
 */
import type { Context } from "hono";
import { routeOf } from "../../../shared/api/route-of.ts";
import type { EdgeEnv, EdgeSettings } from "../../env.ts";
import type { CallEnd, CallRecord } from "../../inference/call-record.ts";
import type { Attempt } from "../../routing/dispatch.ts";
import { costOfCall } from "../../routing/price.ts";

/** What every line has. */
export interface RequestLine {
  /** `METHOD route status`: what Workers Logs shows as the line's message. */
  message: string;
  kind: "request" | "inference";
  requestId: string;
  traceId: string;
  method: string;
  /** The route's pattern (`/v1/jobs/:id`), null when no route matched (a 404). */
  route: string | null;
  status: number;
  latencyMs: number;
  /** Known once the request authenticated. */
  tenant?: string;
  keyId?: string;
  /** The error envelope's code (or type) when the request failed. */
  error?: string;
}

/** What an inference call's line adds. */
export interface InferenceLine extends RequestLine {
  kind: "inference";
  /** The model the client named (an alias, `provider/model` or `site:…`). */
  model: string;
  /** The target that answered (`provider/model`), null when none did. */
  target: string | null;
  attempts: Attempt[];
  cache: CallRecord["cacheStatus"];
  /** Whether the answer was an SSE stream. */
  streamed: boolean;
  promptTokens: number;
  completionTokens: number;
  /** USD, null when nothing prices the target. */
  costUsd: number | null;
  /** Until the answer (a stream's status, headers and first chunk) was ready to send. */
  ttfbMs: number;
}

/** A cost to ten significant digits: `0.0000181`, not float noise (`0.000018100000000000003`). */
const roundedCost = (usd: number | null) => (usd === null ? null : Number(usd.toPrecision(10)));

/** Milliseconds from `from` to `to`, whole and never negative. */
export const elapsedMs = (from: number, to: number) => Math.max(0, Math.round(to - from));

export { routeOf };

/** The line of any request, with its answer's status. */
export function requestLine(
  c: Context<EdgeEnv>,
  status: number,
  latencyMs: number,
  error: string | undefined,
): RequestLine {
  const route = routeOf(c);
  // Unset until the auth step ran (and never for sign-in or health routes).
  const principal = c.get("principal") as EdgeEnv["Variables"]["principal"] | undefined;
  return {
    message: `${c.req.method} ${route ?? "(no route)"} ${status}`,
    kind: "request",
    requestId: c.get("requestId"),
    traceId: c.get("traceId"),
    method: c.req.method,
    route,
    status,
    latencyMs,
    ...(principal ? { tenant: principal.tenantId } : {}),
    ...(principal?.keyId ? { keyId: principal.keyId } : {}),
    ...(error ? { error } : {}),
  };
}

/** What an inference call's line is made of, beyond the request's. */
export interface CallFacts {
  call: CallRecord;
  end: CallEnd;
  streamed: boolean;
  ttfbMs: number;
  /** Prices the call; null when the settings could not be read. */
  pricing: EdgeSettings | null;
}

/** The line of an inference call, once it ended. */
export function inferenceLine(
  base: RequestLine,
  { call, end, streamed, ttfbMs, pricing }: CallFacts,
): InferenceLine {
  return {
    ...base,
    kind: "inference",
    model: call.model,
    target: end.target,
    attempts: call.attempts,
    cache: call.cacheStatus,
    streamed,
    promptTokens: end.usage?.prompt_tokens ?? 0,
    completionTokens: end.usage?.completion_tokens ?? 0,
    costUsd: pricing ? roundedCost(costOfCall(pricing, call.model, end.target, end.usage)) : null,
    ttfbMs,
  };
}
