/**
 * Writes server-sent events the way every stream of this API is sent: one `data:` line per
 * event and a blank line (`data: {...}\n\n`), the stream closed by `data: [DONE]\n\n`. Clients
 * and tests rely on these bytes; the Workers and the Node side both write through here.
 */

/** The data of the event that ends an OpenAI stream. */
export const SSE_DONE = "[DONE]";

/** Headers of an SSE response sent from a Worker (the appliance's Hono stream sets its own). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
} as const;

/** One `data:` event as text: a string as is (`[DONE]`), anything else as JSON. */
export function formatSse(data: unknown): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

const encoder = new TextEncoder();

/** One `data:` event as bytes (see {@link formatSse}). */
export function encodeSse(data: unknown): Uint8Array {
  return encoder.encode(formatSse(data));
}

/** A finished stream of `events` then `[DONE]` (a replayed answer). */
export function sseStreamOf(events: Iterable<unknown>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encodeSse(event));
      controller.enqueue(encodeSse(SSE_DONE));
      controller.close();
    },
  });
}
