/**
 * ConverseStream's binary framing read into events (however the bytes are split, CRCs checked)
 * and translated into OpenAI chunks: complete only once metadata followed messageStop, and an
 * exception message an in-band error.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { describe, expect, it } from "vitest";
import { UpstreamError } from "../errors.ts";
import type { SseEvent } from "../types.ts";
import { readEventStream } from "./events.ts";
import { bedrockStream } from "./stream.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const text = (value: string) => ({ type: "string" as const, value });

const event = (type: string, payload: unknown) =>
  codec.encode({
    headers: {
      ":message-type": text("event"),
      ":event-type": text(type),
      ":content-type": text("application/json"),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });

const exception = (type: string, message: string) =>
  codec.encode({
    headers: { ":message-type": text("exception"), ":exception-type": text(type) },
    body: fromUtf8(JSON.stringify({ message })),
  });

/** A body delivering `bytes` in pieces of `size` bytes. */
function body(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

async function readAll(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of readEventStream(stream)) events.push(e);
  return events;
}

describe("readEventStream", () => {
  const bytes = concat(
    event("messageStart", { role: "assistant" }),
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hé" }, p: "abc" }),
    exception("throttlingException", "slow down"),
  );

  it("yields one event per message however the bytes are split", async () => {
    const expected = [
      { event: "messageStart", data: '{"role":"assistant"}' },
      {
        event: "contentBlockDelta",
        data: '{"contentBlockIndex":0,"delta":{"text":"hé"},"p":"abc"}',
      },
      { event: "throttlingException", data: '{"message":"slow down"}' },
    ];
    for (const size of [1, 7, bytes.length]) {
      expect(await readAll(body(bytes, size)), `pieces of ${size}`).toEqual(expected);
    }
  });

  it("throws on a damaged message and on a body that ends inside one", async () => {
    const damaged = bytes.slice();
    damaged[20] = (damaged[20] ?? 0) ^ 0xff;
    await expect(readAll(body(damaged, 64))).rejects.toThrow();
    await expect(readAll(body(bytes.slice(0, bytes.length - 3), 64))).rejects.toThrow(
      /inside a message/,
    );
  });
});

describe("bedrockStream", () => {
  const ctx = { id: "chatcmpl-1", created: 1, model: "bedrock/m" };
  const push = (t: ReturnType<typeof bedrockStream>, name: string, data: unknown) =>
    t.push({ event: name, data: JSON.stringify(data) });

  it("is complete once metadata (usage) followed messageStop", () => {
    const t = bedrockStream(ctx);
    push(t, "messageStart", { role: "assistant" });
    const [said] = push(t, "contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } });
    expect(said?.choices[0]?.delta).toEqual({ content: "hi" });
    const [stop] = push(t, "messageStop", { stopReason: "max_tokens" });
    expect(stop?.choices[0]?.finish_reason).toBe("length");
    expect(t.complete).toBe(false);
    push(t, "metadata", {
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5, cacheReadInputTokens: 4 },
    });
    expect(t.complete).toBe(true);
    expect(t.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
  });

  it("streams tool calls by block, and an exception as an in-band error", () => {
    const t = bedrockStream(ctx);
    const [start] = push(t, "contentBlockStart", {
      contentBlockIndex: 1,
      start: { toolUse: { toolUseId: "t1", name: "f" } },
    });
    expect(start?.choices[0]?.delta.tool_calls?.[0]).toMatchObject({ index: 0, id: "t1" });
    const [args] = push(t, "contentBlockDelta", {
      contentBlockIndex: 1,
      delta: { toolUse: { input: '{"a":' } },
    });
    expect(args?.choices[0]?.delta.tool_calls?.[0]).toEqual({
      index: 0,
      function: { arguments: '{"a":' },
    });
    expect(() => push(t, "modelStreamErrorException", { message: "boom" })).toThrow(UpstreamError);
    expect(() => push(t, "modelStreamErrorException", { message: "boom" })).toThrow(
      /modelStreamErrorException: boom/,
    );
  });
});
