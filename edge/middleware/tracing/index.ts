/**
 * Tracing on the edge (edge/tracing): `tracing()` opens each request's trace when an OTLP
 * endpoint is configured, under the request log's trace id and the caller's `traceparent`, ends
 * its server span when the answer is made (an inference call's when the call ends, so a stream's
 * tokens are known) and exports it in the background (`waitUntil`). `tracedStep` gives one
 * pipeline step (limits, cache) a span of its own. Without an endpoint both pass straight on.
 */
import { type Attributes, SpanStatusCode } from "@opentelemetry/api";
import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../../../shared/api/errors.ts";
import { traceparentOf } from "../../../shared/tracing/otel.ts";
import { type EdgeEnv, type OtlpSettings, settings } from "../../env.ts";
import type { CallEnd, CallRecord } from "../../inference/call-record.ts";
import { inBackground } from "../../lib/background.ts";
import { RequestTrace } from "../../tracing/request-trace.ts";
import { routeOf } from "../request-log/line.ts";

/** Where traces go; null when tracing is off or the settings cannot be read. */
function otlpOf(c: Context<EdgeEnv>): OtlpSettings | null {
  try {
    return settings(c).otlp;
  } catch {
    return null;
  }
}

/** An inference call's attributes, picked one by one (never a prompt, completion or key). */
function callAttributes(call: CallRecord, end: CallEnd): Attributes {
  return {
    "gen_ai.request.model": call.model,
    ...(end.target ? { "textnlp.target": end.target } : {}),
    "gen_ai.usage.input_tokens": end.usage?.prompt_tokens ?? 0,
    "gen_ai.usage.output_tokens": end.usage?.completion_tokens ?? 0,
    "textnlp.cache.status": call.cacheStatus,
    "textnlp.attempts": call.attempts.length,
  };
}

/** The tracing middleware: after the request log, which names the request's trace id. */
export function tracing(): MiddlewareHandler<EdgeEnv> {
  return async function tracingHandler(c, next) {
    const otlp = otlpOf(c);
    if (!otlp) return next();
    const trace = new RequestTrace({
      otlp,
      traceId: c.get("traceId"),
      traceparent: c.req.header("traceparent"),
      name: `${c.req.method} ${c.req.path}`,
    });
    c.set("trace", trace);
    await next();
    const name = `${c.req.method} ${routeOf(c) ?? "(no route)"}`;
    const base = { "http.request.method": c.req.method, "http.route": routeOf(c) ?? "" };
    const call = c.get("call") as CallRecord | undefined;
    const ended = call
      ? call.ended.then((end) =>
          trace.endServer(name, end.status, { ...base, ...callAttributes(call, end) }, end.error),
        )
      : Promise.resolve(trace.endServer(name, c.res.status, base));
    await inBackground(
      c,
      "trace export",
      ended.then(() => trace.export()),
    );
  };
}

/**
 * The `traceparent` naming this request's server span, for work it starts that runs later (a
 * job's batches); undefined when the request is not traced.
 */
export function serverTraceparent(c: Context<EdgeEnv>): string | undefined {
  const trace = c.get("trace");
  return trace && traceparentOf(trace.server);
}

/**
 * `step` with a span named `name` around its own work: from its start until it passes the
 * request on (or answers itself); `attributes` are read when the span ends, told whether the
 * step passed the request on. A step that throws (a refusal such as a guardrail's block) has
 * its error code as `error.type`; the span is an error only for a server error.
 */
export function tracedStep(
  name: string,
  step: MiddlewareHandler<EdgeEnv>,
  attributes: (c: Context<EdgeEnv>, passed: boolean) => Attributes = () => ({}),
): MiddlewareHandler<EdgeEnv> {
  return async function tracedStepHandler(c, next) {
    const trace = c.get("trace");
    if (!trace) return step(c, next);
    const span = trace.start(name);
    let passed = false;
    const end = () => {
      if (!span.isRecording()) return;
      span.setAttributes({ ...attributes(c, passed), "textnlp.passed": passed });
      span.end();
    };
    try {
      return await step(c, async () => {
        passed = true;
        end();
        await next();
      });
    } catch (err) {
      // Only the step's own throw: once it passed the request on, its span has ended.
      if (span.isRecording()) {
        span.setAttribute("error.type", (err instanceof ApiError && err.code) || "error");
        if (!(err instanceof ApiError) || err.status >= 500) {
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      throw err;
    } finally {
      end();
    }
  };
}
