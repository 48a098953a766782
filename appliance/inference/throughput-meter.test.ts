import { describe, expect, it } from "vitest";
import { ThroughputMeter } from "./throughput-meter.ts";

describe("ThroughputMeter", () => {
  it("averages over busy seconds in the window and forgets older ones", () => {
    let now = 1_000_000;
    const meter = new ThroughputMeter(60, () => now);
    expect(meter.tokensPerSecond()).toBeNull();
    meter.record(100);
    now += 1000;
    meter.record(300);
    now += 30_000; // idle time does not dilute the rate
    expect(meter.tokensPerSecond()).toBe(200);
    now += 40_000;
    meter.record(50);
    expect(meter.tokensPerSecond()).toBeNull(); // the first two fell out of the window
  });
});
