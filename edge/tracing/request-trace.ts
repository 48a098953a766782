/**
 * One request's trace on the edge (OpenTelemetry, `@opentelemetry/sdk-trace-base`): a server
 * span and its children (routing decision, limits, cache lookup, one span per upstream
 * attempt), handed to the isolate's export batch once the request is done ({@link ExportBatch}:
 * the spans of requests within `OTEL_BSP_SCHEDULE_DELAY` share one OTLP/HTTP post). It exists
 * only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: without it nothing is made and nothing is sent.
 *
 * workerd may have no context manager (no AsyncLocalStorage-based context across awaits), so
 * parents are passed explicitly: every child starts from the server span's context, built with
 * `trace.setSpan`. One provider per request keeps the trace id the request log shows (its id
 * generator hands out that id); the request that starts a batch carries its post in `waitUntil`.
 *
 * Attributes are picked one by one (model, target, tokens, status, cache status, failure
 * codes): never a prompt, completion, key or secret.
 */
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { remoteParent, traceparentOf } from "../../shared/tracing/otel.ts";
import { newSpanId } from "../../shared/tracing/traceparent.ts";
import type { OtlpSettings } from "../env.ts";
import type { Attempt } from "../routing/dispatch.ts";

/** The service name the edge's spans carry. */
export const EDGE_SERVICE_NAME = "textnlp-edge";

/** Keeps a request's ended spans until the one export at its end. */
class CollectSpans implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Marks `span` as failed with `code`. */
function failed(span: Span, code: string): void {
  span.setAttribute("error.type", code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** What a trace starts from. */
export interface RequestTraceOptions {
  /** Where its spans go (`/v1/traces` under the endpoint) and how long they may wait. */
  otlp: OtlpSettings;
  /** The request's trace id (the request log's): the incoming `traceparent`'s, or a fresh one. */
  traceId: string;
  /** The incoming `traceparent` header, when any: its span is the server span's parent. */
  traceparent: string | undefined;
  /** The server span's first name (`METHOD /path`); {@link RequestTrace.endServer} renames it. */
  name: string;
}

/** A request's spans. */
export class RequestTrace {
  /** The request's span (kind server). */
  readonly server: Span;
  readonly #otlp: OtlpSettings;
  readonly #provider: BasicTracerProvider;
  readonly #collected = new CollectSpans();
  /** The server span's context: every child's parent. */
  readonly #context: Context;
  /** The upstream attempt in flight (the dispatcher makes one at a time per call). */
  #attempt: Span | undefined;
  /** The attempt that answered: open until the call ends (a stream's body comes after). */
  #answered: Span | undefined;

  constructor({ otlp, traceId, traceparent, name }: RequestTraceOptions) {
    this.#otlp = otlp;
    this.#provider = new BasicTracerProvider({
      resource: RESOURCE,
      // A root span takes the request log's trace id; spans get fresh ids.
      idGenerator: { generateTraceId: () => traceId, generateSpanId: newSpanId },
      spanProcessors: [this.#collected],
    });
    const parent = remoteParent(traceparent);
    this.server = this.#provider
      .getTracer(EDGE_SERVICE_NAME)
      .startSpan(name, { kind: SpanKind.SERVER }, parent);
    this.#context = trace.setSpan(parent, this.server);
  }

  /** Starts a child of the server span. */
  start(name: string, attributes: Attributes = {}, kind = SpanKind.INTERNAL): Span {
    return this.#provider
      .getTracer(EDGE_SERVICE_NAME)
      .startSpan(name, { kind, attributes }, this.#context);
  }

  /** Starts the span of an upstream attempt on `target` (`provider/model`). */
  beginAttempt(target: string): void {
    this.#attempt = this.start("upstream attempt", { "textnlp.target": target }, SpanKind.CLIENT);
  }

  /**
   * Ends the attempt in flight with its outcome, as the dispatcher recorded it. The one that
   * answered stays open until the call ends ({@link endServer}): its body (a stream's tokens)
   * comes after the dispatcher is done, and a failure there (a cut stream, a link lost
   * mid-answer) is that attempt's.
   */
  endAttempt(attempt: Attempt): void {
    const span = this.#attempt;
    this.#attempt = undefined;
    if (!span) return;
    if (attempt.status !== null) span.setAttribute("http.response.status_code", attempt.status);
    if (attempt.failure) {
      failed(span, attempt.failure);
      span.end();
    } else {
      this.#answered = span;
    }
  }

  /** The `traceparent` naming the attempt in flight (for its provider request), if any. */
  attemptTraceparent(): string | undefined {
    return this.#attempt && traceparentOf(this.#attempt);
  }

  /** Ends the server span (renamed to its route), with its attributes and status. */
  endServer(name: string, status: number, attributes: Attributes, error?: string): void {
    const answered = this.#answered;
    this.#answered = undefined;
    if (answered) {
      if (error) failed(answered, error);
      answered.end();
    }
    this.server.updateName(name);
    this.server.setAttributes({ ...attributes, "http.response.status_code": status });
    if (status >= 500 || error) {
      this.server.setAttribute("error.type", error ?? String(status));
      this.server.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.server.end();
  }

  /**
   * Hands the ended spans to the isolate's batch for this endpoint ({@link ExportBatch}); resolves
   * once the batch that holds them was posted (the request's `waitUntil` keeps it alive).
   */
  export(): Promise<void> {
    const spans = this.#collected.spans.splice(0);
    if (spans.length === 0) return Promise.resolve();
    return batchFor(this.#otlp).add(spans);
  }
}

/** The one resource of the edge's spans (shared, so a batch's spans group under it). */
const RESOURCE = resourceFromAttributes({ "service.name": EDGE_SERVICE_NAME });

/** Spans a batch posts at most at once (and at once when it holds that many). */
const MAX_BATCH_SPANS = 512;

/**
 * The spans of an isolate's requests waiting for one OTLP/HTTP post (JSON, the official
 * exporter), per endpoint: a post per request would cost about what the request does (a second
 * subrequest), so requests within `exportDelayMs` of the first share one, which the first
 * request's `waitUntil` holds. A failed post is dropped (logged by that request), never retried.
 */
class ExportBatch {
  readonly #exporter: OTLPTraceExporter;
  #spans: ReadableSpan[] = [];
  #flush: Promise<void> | null = null;

  constructor(readonly otlp: OtlpSettings) {
    this.#exporter = new OTLPTraceExporter({ url: `${otlp.endpoint}/v1/traces` });
  }

  /**
   * Adds a request's spans. The request that finds no flush pending starts one and gets its
   * promise (its `waitUntil` keeps the isolate up until the post); a later one resolves at once,
   * its spans in that pending post (no promise crosses from one request's context to another's).
   */
  add(spans: ReadableSpan[]): Promise<void> {
    this.#spans.push(...spans);
    if (this.#spans.length >= MAX_BATCH_SPANS) return this.#post();
    if (this.#flush) return Promise.resolve();
    this.#flush = new Promise<void>((resolve) => setTimeout(resolve, this.otlp.exportDelayMs)).then(
      () => this.#post(),
    );
    return this.#flush;
  }

  async #post(): Promise<void> {
    const spans = this.#spans;
    this.#spans = [];
    this.#flush = null;
    if (spans.length === 0) return;
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      this.#exporter.export(spans, resolve),
    );
    if (result.code !== 0) throw result.error ?? new Error("the OTLP export failed");
  }
}

const batches = new Map<string, ExportBatch>();

/** The isolate's batch for `otlp` (one per endpoint and delay). */
function batchFor(otlp: OtlpSettings): ExportBatch {
  const key = `${otlp.exportDelayMs} ${otlp.endpoint}`;
  let batch = batches.get(key);
  if (!batch) {
    batch = new ExportBatch(otlp);
    batches.set(key, batch);
  }
  return batch;
}
