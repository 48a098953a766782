/**
 * Reads server-sent events off a byte stream (the WHATWG event-stream format: `event:` and
 * `data:` fields, comments, CRLF or LF, an event ends at a blank line).
 */
import type { SseEvent } from "./types.ts";

/** Yields each event of `body`; a trailing event without its blank line is dropped, as spec'd. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event: string | undefined;
  let data: string[] = [];
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        // A CR held back below was a line end after all.
        if (!buffer.endsWith("\r")) return;
        buffer += "\n";
      } else {
        buffer += value;
      }
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        // A CR at the end may be the first half of a CRLF still in flight.
        if (!finished && newline === buffer.length - 1 && buffer.endsWith("\r")) break;
        const line = buffer.slice(0, newline);
        const width = buffer.startsWith("\r\n", newline) ? 2 : 1;
        buffer = buffer.slice(newline + width);
        if (line === "") {
          if (data.length > 0) yield { event, data: data.join("\n") };
          event = undefined;
          data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const raw = colon < 0 ? "" : line.slice(colon + 1);
          const value = raw.startsWith(" ") ? raw.slice(1) : raw;
          if (field === "data") data.push(value);
          else if (field === "event") event = value;
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
      if (finished) return;
    }
  } finally {
    // Stopped early (the client went away, or a translator threw): release the upstream too.
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/** Parses an event's JSON data, naming the provider when it is not JSON. */
export function parseEventJson(event: SseEvent): Record<string, unknown> {
  return JSON.parse(event.data) as Record<string, unknown>;
}

const encoder = new TextEncoder();

/** One `data:` event as bytes: a string as is (`[DONE]`), anything else as JSON. */
export function encodeSse(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}
