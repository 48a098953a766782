/**
 * What both halves' OpenTelemetry tracing shares: a caller's `traceparent` as the parent
 * context of a span, and a span as the `traceparent` of the next hop. Parents are passed
 * explicitly (workerd has no context manager, and the appliance needs none): a span starts
 * from the context these build.
 */
import { type Context, ROOT_CONTEXT, type Span, TraceFlags, trace } from "@opentelemetry/api";
import { parseTraceparent } from "./traceparent.ts";

/** The context whose parent is the caller's span, or the root context without a valid header. */
export function remoteParent(traceparent: string | null | undefined): Context {
  const caller = parseTraceparent(traceparent);
  if (!caller) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: caller.traceId,
    spanId: caller.parentId,
    traceFlags: caller.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

/** The `traceparent` naming `span` as the parent. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & TraceFlags.SAMPLED) === 1 ? "01" : "00"}`;
}
