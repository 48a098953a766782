import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { NewUsageEvent } from "../../shared/usage/event.ts";
import { summarizeUsage } from "../../shared/usage/summary.ts";
import { openStore, type Store } from "../store/db.ts";
import { UsageMeter } from "./usage-meter.ts";

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const DAY = new Date("2026-11-02T10:00:00Z");
const call = (patch: Partial<NewUsageEvent> = {}): NewUsageEvent => ({
  tenantId: "local",
  keyId: "key_1",
  route: "chat",
  model: "m",
  promptTokens: 3,
  completionTokens: 4,
  latencyMs: 5,
  status: 200,
  createdAt: DAY,
  ...patch,
});

function setUp(options: { batchRows?: number } = {}) {
  const store = openStore(":memory:");
  stores.push(store);
  const meter = new UsageMeter({
    db: store.db,
    logger: pino({ level: "silent" }),
    // Longer than any test: rows are written by a full batch, a flush or `stop` only.
    flushMs: 60_000,
    ...options,
  });
  const count = () =>
    (store.sqlite.prepare("SELECT count(*) AS n FROM usage_events").get() as { n: number }).n;
  return { store, meter, count };
}

describe("UsageMeter", () => {
  it("holds rows until a batch fills or a report flushes, then writes them together", async () => {
    const { store, meter, count } = setUp({ batchRows: 3 });
    meter.record(call());
    meter.record(call({ status: 400, promptTokens: 0, completionTokens: 0 }));
    expect(count()).toBe(0);
    meter.record(call({ keyId: null }));
    expect(count()).toBe(3);
    meter.record(call());
    expect(count()).toBe(3);
    meter.flush();
    const rows = await summarizeUsage(store.db, "local", DAY, new Date(DAY.getTime() + 1));
    expect(rows).toEqual([
      {
        day: "2026-11-02",
        model: "m",
        keyId: null,
        requests: 1,
        errors: 0,
        promptTokens: 3,
        completionTokens: 4,
        costUsd: null,
      },
      {
        day: "2026-11-02",
        model: "m",
        keyId: "key_1",
        requests: 3,
        errors: 1,
        promptTokens: 6,
        completionTokens: 8,
        costUsd: null,
      },
    ]);
  });

  it("writes what waits when stopped, later rows at once, and drops only a row SQLite refuses", () => {
    const { meter, count } = setUp();
    meter.record(call());
    meter.record({ ...call(), status: null } as unknown as NewUsageEvent);
    meter.record(call());
    meter.stop();
    expect(count()).toBe(2);
    meter.record(call());
    expect(count()).toBe(3);
  });
});
