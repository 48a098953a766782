import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  isFinalClose,
  MAX_FRAME_CHARS,
  negotiateVersion,
  OLDEST_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from "./index.ts";

const samples: Frame[] = [
  {
    type: "hello",
    protocol: 3,
    applianceId: "app_1",
    version: "0.1.0",
    models: [{ id: "stories260K", contextSize: 2048 }],
    capacity: 8,
  },
  { type: "welcome", protocol: 3, heartbeatMs: 5000 },
  { type: "heartbeat", load: { active: 1, queued: 0 }, sentAt: 1700000000000 },
  { type: "heartbeat_ack", sentAt: 1700000000000 },
  {
    type: "request",
    id: "r1",
    path: "/v1/chat/completions",
    body: { model: "m", messages: [{ role: "user", content: "hi" }], stream: true },
    deadline: 1700000060000,
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  },
  { type: "response", id: "r1", status: 200, headers: { "content-type": "text/event-stream" } },
  { type: "chunk", id: "r1", data: 'data: {"x":1}\n\n' },
  { type: "end", id: "r1" },
  { type: "error", id: "r1", code: "engine_failed", message: "boom" },
  { type: "error", code: "revoked", message: "this appliance was revoked" },
  { type: "cancel", id: "r1" },
];

describe("link frames", () => {
  it("round-trips every frame type", () => {
    for (const frame of samples) {
      expect(decodeFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
    }
    expect(new Set(samples.map((f) => f.type)).size).toBe(10);
  });

  it("decodes bytes as well as text", () => {
    const bytes = new TextEncoder().encode(encodeFrame({ type: "cancel", id: "x" }));
    expect(decodeFrame(bytes)).toEqual({ ok: true, frame: { type: "cancel", id: "x" } });
  });

  it("accepts a version-1 hello without capacity", () => {
    const decoded = decodeFrame(
      JSON.stringify({ type: "hello", protocol: 1, applianceId: "a", version: "0", models: [] }),
    );
    expect(decoded.ok && decoded.frame.type === "hello" && decoded.frame.capacity).toBe(undefined);
  });

  it("refuses what is not a frame, with a reason and without throwing", () => {
    const cases: [string | Uint8Array, RegExp][] = [
      ["not json", /not JSON/],
      ["[1,2]", /not a JSON object/],
      ["null", /not a JSON object/],
      ['{"id":"x"}', /no type/],
      ['{"type":"teleport"}', /unknown frame type 'teleport'/],
      ['{"type":"cancel"}', /malformed cancel frame: id/],
      ['{"type":"request","id":"r","path":"/v1/embeddings","body":{},"deadline":1}', /path/],
      ['{"type":"response","id":"r","status":99,"headers":{}}', /status/],
      ['{"type":"heartbeat","load":{"active":-1,"queued":0},"sentAt":1}', /load.active/],
      [new Uint8Array([0xff, 0xfe, 0xfd]), /not UTF-8/],
      [`{"type":"chunk","id":"r","data":"${"x".repeat(MAX_FRAME_CHARS)}"}`, /larger than/],
    ];
    for (const [input, reason] of cases) {
      const decoded = decodeFrame(input);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.reason).toMatch(reason);
    }
  });
});

describe("version negotiation", () => {
  it("accepts its own version and the one before, using the lower", () => {
    expect(negotiateVersion(PROTOCOL_VERSION)).toEqual({ ok: true, version: PROTOCOL_VERSION });
    expect(negotiateVersion(OLDEST_PROTOCOL_VERSION)).toEqual({
      ok: true,
      version: OLDEST_PROTOCOL_VERSION,
    });
    // A newer peer talks down to us (it accepts its version before, which is ours).
    expect(negotiateVersion(PROTOCOL_VERSION + 1)).toEqual({ ok: true, version: PROTOCOL_VERSION });
  });

  it("refuses peers too far apart, with a message saying which side to upgrade", () => {
    const tooOld = negotiateVersion(3, 5);
    expect(tooOld).toEqual({
      ok: false,
      reason: "protocol version 3 is too old: this side speaks 5 and 4; upgrade the peer",
    });
    const tooNew = negotiateVersion(7, 5);
    expect(tooNew.ok).toBe(false);
    if (!tooNew.ok) expect(tooNew.reason).toMatch(/newer .* upgrade this side/);
    expect(negotiateVersion(0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/too old/),
    });
    expect(negotiateVersion(-1)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a/),
    });
    expect(negotiateVersion(1.5).ok).toBe(false);
  });

  it("knows which closes are final", () => {
    expect(isFinalClose(4001)).toBe(true);
    expect(isFinalClose(4002)).toBe(true);
    expect(isFinalClose(1006)).toBe(false);
    expect(isFinalClose(4004)).toBe(false);
  });
});
