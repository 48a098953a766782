/** `traceparent` parsing by the W3C Trace Context rules, and fresh ids. */
import { describe, expect, it } from "vitest";
import { newSpanId, newTraceId, parseTraceparent, traceIdOf } from "./traceparent.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads a version 00 header, sampled or not", () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      sampled: true,
    });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-00`)?.sampled).toBe(false);
  });

  it("accepts a later version's extra fields, but not on version 00", () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-01-what-comes-next`)?.traceId).toBe(TRACE);
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01-extra`)).toBeNull();
  });

  it("refuses what breaks the rules", () => {
    for (const header of [
      undefined,
      null,
      "",
      `ff-${TRACE}-${PARENT}-01`,
      `00-${"0".repeat(32)}-${PARENT}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${PARENT}-01`,
      `00-${TRACE.slice(1)}-${PARENT}-01`,
      `00-${TRACE}-${PARENT}-1`,
      `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01`,
      `00_${TRACE}_${PARENT}_01`,
    ]) {
      expect(parseTraceparent(header), String(header)).toBeNull();
    }
  });
});

describe("fresh ids", () => {
  it("are lowercase hex of the right length, different each time", () => {
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(newTraceId()).not.toBe(newTraceId());
  });

  it("traceIdOf keeps a valid header's trace and starts a new one otherwise", () => {
    expect(traceIdOf(`00-${TRACE}-${PARENT}-01`)).toBe(TRACE);
    const fresh = traceIdOf("garbage");
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(TRACE);
  });
});
