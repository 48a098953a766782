/**
 * Tracing of the appliance's API (appliance/tracing): each request is a span of kind server
 * under its caller's `traceparent` (a client's header; for a request from the edge, the edge's
 * attempt, carried in the link frame), renamed to its route when it ends (a stream's when its
 * last byte went out). Only the status, route, model, token counts and how the request came are
 * recorded, never a body or a key.
 */
import type { MiddlewareHandler } from "hono";
import { toApiError } from "../../../shared/api/app.ts";
import { routeOf } from "../../../shared/api/route-of.ts";
import { SpanScope } from "../../tracing/spans.ts";
import { type ApplianceTracer, spanFailed } from "../../tracing/tracer.ts";
import type { ApplianceEnv } from "../types.ts";

/** The tracing middleware: first, so its span covers every other step. */
export function tracing(tracer: ApplianceTracer): MiddlewareHandler<ApplianceEnv> {
  return async function tracingHandler(c, next) {
    const method = c.req.method;
    const server = tracer.startServer(`${method} ${c.req.path}`, c.req.header("traceparent"));
    c.set("trace", new SpanScope(tracer, server));
    const end = () => {
      const status = c.get("streamStatus") ?? c.res.status;
      const route = routeOf(c);
      const usage = c.get("usage");
      const model = c.get("model");
      server.span.updateName(`${method} ${route ?? "(no route)"}`);
      server.span.setAttributes({
        "http.request.method": method,
        "http.route": route ?? "",
        "http.response.status_code": status,
        "textnlp.via": c.env?.linkPrincipal ? "link" : "http",
        ...(model ? { "gen_ai.request.model": model } : {}),
        ...(usage
          ? {
              "gen_ai.usage.input_tokens": usage.prompt_tokens,
              "gen_ai.usage.output_tokens": usage.completion_tokens,
            }
          : {}),
      });
      if (c.get("cancelled")) spanFailed(server.span, "cancelled");
      else if (status >= 500) {
        spanFailed(server.span, (c.error && toApiError(c.error).code) || String(status));
      }
      server.span.end();
    };
    await next();
    const streamDone = c.get("streamDone");
    if (streamDone) void streamDone.finally(end);
    else end();
  };
}
