/**
 * The appliance's OpenTelemetry tracing (`@opentelemetry/sdk-trace-base`, the edge's version):
 * spans are batched and exported over OTLP/HTTP (`@opentelemetry/exporter-trace-otlp-http`) to
 * the configured endpoint, off the request path; `shutdown` sends what is left. The batch
 * processor takes the standard `OTEL_BSP_*` variables (`OTEL_BSP_SCHEDULE_DELAY`, 5 s by
 * default). A collector that is down costs dropped spans, never a request.
 *
 * Parents are passed explicitly (shared/tracing/otel.ts), as on the edge: no context manager.
 */
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { remoteParent } from "../../shared/tracing/otel.ts";

/** The service name the appliance's spans carry. */
export const APPLIANCE_SERVICE_NAME = "textnlp-appliance";

/** A span and the context its children start from. */
export interface OpenSpan {
  span: Span;
  context: Context;
}

/** Marks `span` as failed with `code` (an error code, never a message with user text). */
export function spanFailed(span: Span, code: string): void {
  span.setAttribute("error.type", code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Tracing with an exporter; made only when an endpoint is configured. */
export class ApplianceTracer {
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;

  constructor({ endpoint, version }: { endpoint: string; version: string }) {
    const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` });
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        "service.name": APPLIANCE_SERVICE_NAME,
        "service.version": version,
      }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    this.#tracer = this.#provider.getTracer(APPLIANCE_SERVICE_NAME, version);
  }

  /** A request's span (kind server), under the caller's `traceparent` when it sent one. */
  startServer(name: string, traceparent: string | null | undefined): OpenSpan {
    return this.start(name, remoteParent(traceparent), {}, SpanKind.SERVER);
  }

  /** A span under `parent`. */
  start(name: string, parent: Context, attributes: Attributes = {}, kind = SpanKind.INTERNAL) {
    const span = this.#tracer.startSpan(name, { kind, attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  }

  /** Exports the spans not sent yet and stops (at shutdown). */
  async shutdown(): Promise<void> {
    await this.#provider.shutdown();
  }
}
