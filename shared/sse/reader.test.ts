/** The SSE reader against byte streams split at awkward places. */
import { describe, expect, it } from "vitest";
import { createSseDecoder, readSse } from "./reader.ts";

function bytes(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readSse(stream)) events.push(event);
  return events;
}

describe("readSse", () => {
  it("reads events, names, multi-line data and comments with LF, CRLF and CR line ends", async () => {
    const events = await all(
      bytes(": comment\n", "event: a\ndata: 1\n\n", "data: x\r\ndata: y\r\n\r\n", "data:z\r\r"),
    );
    expect(events).toEqual([
      { event: "a", data: "1" },
      { event: undefined, data: "x\ny" },
      { event: undefined, data: "z" },
    ]);
  });

  it("joins a CRLF and a multi-byte character split across chunks", async () => {
    const euro = new TextEncoder().encode("data: €\r\n\r\n");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(euro.slice(0, 7)); // cuts the € in two
        controller.enqueue(euro.slice(7, 10)); // ends on the CR of the first CRLF
        controller.enqueue(euro.slice(10));
        controller.close();
      },
    });
    expect(await all(stream)).toEqual([{ event: undefined, data: "€" }]);
  });

  it("drops a last event that never got its blank line (a cut stream)", async () => {
    expect(await all(bytes("data: whole\n\n", "data: half"))).toEqual([
      { event: undefined, data: "whole" },
    ]);
  });

  it("reads every split of a stream alike, one byte at a time included", async () => {
    const text = ': hi\r\nevent: e\r\ndata: {"a":1}\r\ndata: two\r\n\r\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    const expected = [
      { event: "e", data: '{"a":1}\ntwo' },
      { event: undefined, data: "[DONE]" },
    ];
    for (const size of [1, 2, 3, 5, 8, bytes.length]) {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
          controller.close();
        },
      });
      expect(await all(stream)).toEqual(expected);
    }
  });

  it("cancels the body when the consumer stops early, and ends when the signal aborts", async () => {
    let cancelled = false;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode("data: x\n\n"));
        },
        cancel() {
          cancelled = true;
        },
      });
    for await (const _ of readSse(endless())) break;
    expect(cancelled).toBe(true);

    cancelled = false;
    const abort = new AbortController();
    let seen = 0;
    for await (const _ of readSse(endless(), { signal: abort.signal })) {
      if (++seen === 3) abort.abort();
    }
    expect(cancelled).toBe(true);
  });
});

describe("createSseDecoder", () => {
  it("hands events over as bytes are pushed, a final CR counting as a line end", () => {
    const events: unknown[] = [];
    const decoder = createSseDecoder((event) => events.push(event));
    const encoder = new TextEncoder();
    decoder.push(encoder.encode("data: a\n"));
    expect(events).toEqual([]);
    decoder.push(encoder.encode("\ndata: b\r"));
    expect(events).toEqual([{ event: undefined, data: "a" }]);
    decoder.push(encoder.encode("\r"));
    decoder.end();
    expect(events).toEqual([
      { event: undefined, data: "a" },
      { event: undefined, data: "b" },
    ]);
  });
});
