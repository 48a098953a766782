/**
 * Reads server-sent events off a byte stream with `eventsource-parser` (the WHATWG
 * event-stream format: `event:` and `data:` fields, comments, CRLF, LF or CR line ends, an event
 * ends at a blank line). One reader for provider streams, the cache's copy of an answer and the
 * SDK; it runs in Workers and in Node alike.
 */
import { createParser } from "eventsource-parser";

/** One server-sent event as read off the wire. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Bytes in, events out, as the bytes arrive (for a reader that only watches a stream). */
export interface SseDecoder {
  /** Decodes the next piece of the stream; complete events go to `onEvent` at once. */
  push(bytes: Uint8Array): void;
  /** The stream ended: a CR held back as a possible CRLF half was a line end after all. */
  end(): void;
}

/** A decoder handing each complete event to `onEvent`; a trailing event without its blank line is dropped, as spec'd. */
export function createSseDecoder(onEvent: (event: SseEvent) => void): SseDecoder {
  const parser = createParser({ onEvent: ({ event, data }) => onEvent({ event, data }) });
  const decoder = new TextDecoder();
  let endsWithCr = false;
  const feed = (text: string) => {
    if (text === "") return;
    endsWithCr = text.endsWith("\r");
    parser.feed(text);
  };
  return {
    push: (bytes) => feed(decoder.decode(bytes, { stream: true })),
    end() {
      feed(decoder.decode());
      if (endsWithCr) parser.feed("\n");
    },
  };
}

/** Options of {@link readSse}. */
export interface ReadSseOptions {
  /** Stops reading (the body is cancelled and the events end) when aborted. */
  signal?: AbortSignal;
}

/**
 * Yields each event of `body`. Stopped early (the consumer returned or threw), it cancels
 * `body`, so the upstream connection is released too.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  { signal }: ReadSseOptions = {},
): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  const decoder = createSseDecoder((event) => queue.push(event));
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        decoder.end();
      } else {
        decoder.push(value);
      }
      while (queue.length > 0) yield queue.shift() as SseEvent;
      if (finished) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/** Parses an event's JSON data (a parse failure throws, for the caller to name its source). */
export function parseEventJson(event: SseEvent): Record<string, unknown> {
  return JSON.parse(event.data) as Record<string, unknown>;
}
