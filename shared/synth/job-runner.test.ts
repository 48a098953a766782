import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors.ts";
import { type JobStore, runJob, type SampleOutcome, sampleKey } from "./job-runner.ts";

function memoryStore(initial: string[] = []): JobStore & { outcomes: SampleOutcome[] } {
  const keys = new Set(initial);
  const outcomes: SampleOutcome[] = [];
  return {
    outcomes,
    committedKeys: () => new Set(keys),
    commit(outcome) {
      const key = sampleKey(outcome);
      if (keys.has(key)) return;
      keys.add(key);
      outcomes.push(outcome);
    },
  };
}

const ok = (text: string) => ({
  variables: {},
  messages: [],
  output: text,
  promptTokens: 1,
  completionTokens: 2,
});
const noSleep = async () => {};

describe("runJob", () => {
  it("generates every key once and skips keys committed before (resume)", async () => {
    const store = memoryStore(["0:0", "1:1"]);
    const seen: string[] = [];
    const result = await runJob(
      { rows: 3, samplesPerRow: 2, concurrency: 2 },
      store,
      async (task) => {
        seen.push(sampleKey(task));
        return ok(sampleKey(task));
      },
    );
    expect(seen.sort()).toEqual(["0:1", "1:0", "2:0", "2:1"]);
    expect(result).toMatchObject({
      state: "done",
      progress: { total: 6, done: 6, ok: 4, failed: 0, completionTokens: 8 },
    });
  });

  it("retries retryable failures with backoff, then records the sample as failed and goes on", async () => {
    const store = memoryStore();
    const attempts = new Map<string, number>();
    const delays: number[] = [];
    const result = await runJob(
      { rows: 2, samplesPerRow: 1, concurrency: 1, maxAttempts: 3, backoffMs: 100 },
      store,
      async (task) => {
        const n = (attempts.get(sampleKey(task)) ?? 0) + 1;
        attempts.set(sampleKey(task), n);
        if (task.row === 0) throw new ApiError(503, "busy");
        if (n === 1) throw new ApiError(429, "slow down", { retryAfter: 2 });
        return ok("fine");
      },
      { sleep: async (ms) => void delays.push(ms) },
    );
    expect(attempts.get("0:0")).toBe(3);
    expect(attempts.get("1:0")).toBe(2);
    expect(store.outcomes.find((o) => o.row === 0)).toMatchObject({
      status: "failed",
      attempts: 3,
      error: "busy",
    });
    expect(store.outcomes.find((o) => o.row === 1)).toMatchObject({
      status: "ok",
      attempts: 2,
      output: "fine",
    });
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(2000); // Retry-After wins over a shorter backoff
    expect(result.progress).toMatchObject({ ok: 1, failed: 1 });
  });

  it("does not retry a client error", async () => {
    const store = memoryStore();
    let calls = 0;
    await runJob(
      { rows: 1, samplesPerRow: 1, concurrency: 1 },
      store,
      async () => {
        calls++;
        throw new ApiError(400, "missing variable 'x'");
      },
      { sleep: noSleep },
    );
    expect(calls).toBe(1);
    expect(store.outcomes[0]).toMatchObject({ status: "failed", error: "missing variable 'x'" });
  });

  it("stops at cancellation without committing work in flight", async () => {
    const store = memoryStore();
    const controller = new AbortController();
    const result = await runJob(
      { rows: 10, samplesPerRow: 1, concurrency: 1 },
      store,
      async (task) => {
        if (task.row === 3) controller.abort();
        return ok("x");
      },
      { signal: controller.signal, sleep: noSleep },
    );
    expect(result.state).toBe("cancelled");
    expect(store.outcomes.map((o) => o.row)).toEqual([0, 1, 2]);
  });
});
