/** The SSE reader against byte streams split at awkward places. */
import { describe, expect, it } from "vitest";
import { readSse } from "./sse.ts";

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
});
