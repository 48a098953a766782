/**
 * The span of one job batch on the edge (a jobs-queue message's work), in the trace of the
 * request that created or resumed the job: the message carries that request's server span as a
 * `traceparent` (edge/jobs/runner.ts), which becomes the batch span's parent; a message without
 * one starts a trace of its own. Each sample call the batch makes carries {@link
 * JobTrace.traceparent}, so the call's own server span (`tracing()`) is the batch span's child.
 *
 * It is a {@link RequestTrace} of one span, so it is sampled, identified and exported exactly as
 * a request's trace is (batched into the isolate's next OTLP/HTTP post when it ends; an unsampled job's batches and calls
 * export nothing), and made only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Its kind is a
 * request's (server): the queue's invocation of the Worker is where the batch's work enters. Attributes are the
 * job's id, model and counts: never a prompt, an output or a key.
 */
import { type Attributes, SpanStatusCode } from "@opentelemetry/api";
import { ApiError } from "../../shared/api/errors.ts";
import { traceparentOf } from "../../shared/tracing/otel.ts";
import { traceIdOf } from "../../shared/tracing/traceparent.ts";
import type { OtlpSettings } from "../env.ts";
import { RequestTrace } from "./request-trace.ts";

/** One batch's span, from its start until {@link JobTrace.end}. */
export class JobTrace {
  readonly #trace: RequestTrace;
  /** The `traceparent` naming this span, for the batch's sample calls. */
  readonly traceparent: string;

  /** Starts `name` under `parent` (the message's `traceparent`), exported to `otlp` when ended. */
  constructor(
    otlp: OtlpSettings,
    name: string,
    parent: string | undefined,
    attributes: Attributes,
  ) {
    this.#trace = new RequestTrace({
      otlp,
      traceId: traceIdOf(parent),
      traceparent: parent,
      name,
    });
    this.#trace.server.setAttributes(attributes);
    this.traceparent = traceparentOf(this.#trace.server);
  }

  /** Ends the span with `attributes` (and the error the batch failed with, if any), then exports it. */
  async end(attributes: Attributes, error?: unknown): Promise<void> {
    const span = this.#trace.server;
    span.setAttributes(attributes);
    if (error !== undefined) {
      span.setAttribute("error.type", (error instanceof ApiError && error.code) || "error");
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    await this.#trace.export();
  }
}
