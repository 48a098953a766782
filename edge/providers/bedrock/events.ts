/**
 * ConverseStream's body is AWS's binary event stream (`application/vnd.amazon.eventstream`), not
 * SSE: messages of a prelude (total and header lengths, CRC), typed headers, a payload and a
 * CRC of the whole. Each message becomes one event: an event's name is its `:event-type`; an
 * exception's (`:message-type: exception`) is its `:exception-type`, which the translator turns
 * into an in-band error.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { SseEvent } from "../types.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The largest message read (AWS caps event-stream messages at 16 MiB). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A message header's value as text (`:event-type` and the like are strings). */
function headerText(
  headers: Record<string, { type: string; value: unknown }>,
  name: string,
): string | undefined {
  const header = headers[name];
  return header?.type === "string" ? String(header.value) : undefined;
}

/** The event for one whole message (CRCs checked by the codec, which throws on a mismatch). */
function eventOf(message: Uint8Array): SseEvent {
  const { headers, body } = codec.decode(message);
  const data = toUtf8(body);
  switch (headerText(headers, ":message-type")) {
    case "exception":
      return { event: headerText(headers, ":exception-type") ?? "unknownException", data };
    case "error":
      // The framing's own errors carry their code and words in headers, not in the payload.
      return {
        event: headerText(headers, ":error-code") ?? "unknownException",
        data: JSON.stringify({ message: headerText(headers, ":error-message") ?? data }),
      };
    default:
      return { event: headerText(headers, ":event-type"), data };
  }
}

/**
 * Yields one event per message of an event-stream body as the bytes arrive. Stopped early (the
 * consumer returned or threw), it cancels the body; a body that ends inside a message throws.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  let buffer = new Uint8Array(0);
  let done = false;
  try {
    for (;;) {
      // Whole messages first: the prelude's first 4 bytes are the message's total length.
      while (buffer.byteLength >= 4) {
        const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, false);
        if (length < 16 || length > MAX_MESSAGE_BYTES) {
          throw new Error(`an event-stream message of ${length} bytes`);
        }
        if (buffer.byteLength < length) break;
        yield eventOf(buffer.subarray(0, length));
        buffer = buffer.subarray(length);
      }
      const next = await reader.read();
      if (next.done) {
        done = true;
        if (buffer.byteLength > 0) throw new Error("the event stream ended inside a message");
        return;
      }
      const joined = new Uint8Array(buffer.byteLength + next.value.byteLength);
      joined.set(buffer);
      joined.set(next.value, buffer.byteLength);
      buffer = joined;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
  }
}
