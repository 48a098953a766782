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

  it("with overlapWrites, generates a worker's next sample while its last one is written", async () => {
    const store = memoryStore();
    const events: string[] = [];
    let release: () => void = () => {};
    const slowStore: JobStore = {
      committedKeys: store.committedKeys,
      async commit(outcome) {
        events.push(`write ${sampleKey(outcome)}`);
        // The first write stays in flight until the second sample is being generated.
        if (outcome.row === 0) await new Promise<void>((resolve) => (release = resolve));
        await store.commit(outcome);
        events.push(`written ${sampleKey(outcome)}`);
      },
    };
    const result = await runJob(
      { rows: 3, samplesPerRow: 1, concurrency: 1 },
      slowStore,
      async (task) => {
        events.push(`generate ${sampleKey(task)}`);
        if (task.row === 1) release();
        return ok(sampleKey(task));
      },
      { overlapWrites: true },
    );
    expect(events).toEqual([
      "generate 0:0",
      "write 0:0",
      "generate 1:0",
      "written 0:0",
      "write 1:0",
      "written 1:0",
      "generate 2:0",
      "write 2:0",
      "written 2:0",
    ]);
    expect(result.progress).toMatchObject({ done: 3, ok: 3 });
    expect(store.outcomes.map(sampleKey)).toEqual(["0:0", "1:0", "2:0"]);
  });

  it("with overlapWrites, a write that fails fails the run once the worker reaches it", async () => {
    const store = memoryStore();
    const failing: JobStore = {
      committedKeys: store.committedKeys,
      async commit(outcome) {
        if (outcome.row === 1) throw new Error("the database went away");
        await store.commit(outcome);
      },
    };
    let generated = 0;
    const run = runJob(
      { rows: 4, samplesPerRow: 1, concurrency: 1 },
      failing,
      async (task) => {
        generated++;
        return ok(sampleKey(task));
      },
      { overlapWrites: true },
    );
    await expect(run).rejects.toThrow("the database went away");
    // Not retried as a generation failure: one call per sample reached, no sample recorded failed.
    expect(generated).toBeLessThanOrEqual(3);
    expect(store.outcomes.map((o) => [sampleKey(o), o.status])).toEqual([["0:0", "ok"]]);
  });
});
