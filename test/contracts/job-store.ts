/**
 * The job store both halves share (shared/synth/store/job-store.ts) with the job engine, as a
 * contract each driver's test runs (D1 in workerd, libSQL and better-sqlite3 in Node): a batch
 * of keys run again (a queue's redelivery), run twice at once, or cut off part way and run again
 * ends with every key written exactly once, generated at most once after it was written; a
 * committed sample's saved columns go with the same statement (migration 0019's trigger).
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnySqliteDb } from "../../shared/db/audit.ts";
import { jobs, samples, templates, tenants } from "../../shared/db/schema/index.ts";
import {
  type GeneratedSample,
  runJob,
  type SampleTask,
  sampleKey,
} from "../../shared/synth/job-runner.ts";
import {
  commitSample,
  loadSampleColumns,
  saveSampleColumn,
  sqliteJobStore,
} from "../../shared/synth/store/job-store.ts";

const sample = (task: SampleTask): GeneratedSample => ({
  variables: { n: task.row },
  messages: [{ role: "user", content: `row ${task.row}` }],
  output: `out ${sampleKey(task)}`,
  promptTokens: 2,
  completionTokens: 3,
});
const noSleep = async () => {};

/**
 * The job store's contract on one driver: `open` gives a fresh database with the shared
 * migrations applied.
 */
export function jobStoreContract(
  driver: string,
  open: () => Promise<{ db: AnySqliteDb; close: () => void }>,
): void {
  describe(`the shared job store on ${driver}`, () => {
    let db: AnySqliteDb;
    let close: () => void;
    let jobNo = 0;

    beforeAll(async () => {
      ({ db, close } = await open());
      await db.insert(tenants).values({ id: "t1", name: "t1", createdAt: new Date(0) });
      await db.insert(templates).values({
        id: "tpl1",
        tenantId: "t1",
        name: "t",
        version: 1,
        prompt: "x",
        variables: [],
        params: {},
        createdAt: new Date(0),
      });
    });
    afterAll(() => close());

    async function newJob(rows: number, samplesPerRow: number) {
      const id = `job${++jobNo}`;
      await db.insert(jobs).values({
        id,
        tenantId: "t1",
        templateId: "tpl1",
        model: "m",
        params: {},
        samplers: {},
        rowCount: rows,
        samplesPerRow,
        concurrency: 4,
        seed: 1,
        status: "running",
      });
      return id;
    }
    /** The keys written for a job, with their status and attempts. */
    const written = async (jobId: string) => {
      const rows: { row: number; sample: number; status: string; attempts: number }[] = await db
        .select({
          row: samples.rowIndex,
          sample: samples.sampleIndex,
          status: samples.status,
          attempts: samples.attempts,
        })
        .from(samples)
        .where(eq(samples.jobId, jobId));
      return rows;
    };
    const tasksOf = (rows: number[], samplesPerRow: number) =>
      rows.flatMap((row) => Array.from({ length: samplesPerRow }, (_, s) => ({ row, sample: s })));

    it("runs a batch's keys only; a redelivered batch generates and writes nothing", async () => {
      const jobId = await newJob(10, 2);
      const batch = tasksOf([3, 4, 5], 2);
      const calls: string[] = [];
      const generate = async (task: SampleTask) => {
        calls.push(sampleKey(task));
        return sample(task);
      };
      const plan = { rows: 10, samplesPerRow: 2, concurrency: 3, tasks: batch };
      const first = await runJob(plan, sqliteJobStore(db, jobId, batch), generate);
      expect(first.progress).toMatchObject({ total: 6, done: 6, ok: 6 });
      const again = await runJob(plan, sqliteJobStore(db, jobId, batch), generate);
      expect(again.progress).toMatchObject({ total: 6, done: 6, ok: 0 });
      expect(calls.sort()).toEqual(batch.map(sampleKey).sort());
      expect((await written(jobId)).map(sampleKey).sort()).toEqual(batch.map(sampleKey).sort());
    });

    it("the same batch run twice at once writes each key once", async () => {
      const jobId = await newJob(4, 5);
      const batch = tasksOf([0, 1, 2, 3], 5);
      const plan = { rows: 4, samplesPerRow: 5, concurrency: 4, tasks: batch };
      const slow = async (task: SampleTask) => {
        await new Promise((r) => setTimeout(r, 1));
        return sample(task);
      };
      await Promise.all([
        runJob(plan, sqliteJobStore(db, jobId, batch), slow),
        runJob(plan, sqliteJobStore(db, jobId, batch), slow),
      ]);
      expect((await written(jobId)).map(sampleKey).sort()).toEqual(batch.map(sampleKey).sort());
    });

    it("a batch cut off part way and run again ends with each key once, failures recorded", async () => {
      const jobId = await newJob(6, 1);
      const batch = tasksOf([0, 1, 2, 3, 4, 5], 1);
      const plan = { rows: 6, samplesPerRow: 1, concurrency: 1, tasks: batch, maxAttempts: 2 };
      const stop = new AbortController();
      let made = 0;
      const cut = await runJob(
        plan,
        sqliteJobStore(db, jobId, batch),
        async (task) => {
          if (++made === 3) stop.abort();
          return sample(task);
        },
        { signal: stop.signal, sleep: noSleep },
      );
      expect(cut.state).toBe("cancelled");
      const before = new Set((await written(jobId)).map(sampleKey));
      expect(before.size).toBeGreaterThan(0);
      expect(before.size).toBeLessThan(6);
      const generatedAfter: string[] = [];
      const rest = await runJob(
        plan,
        sqliteJobStore(db, jobId, batch),
        async (task) => {
          generatedAfter.push(sampleKey(task));
          if (task.row === 5) throw Object.assign(new Error("upstream 500"), { status: 500 });
          return sample(task);
        },
        { sleep: noSleep },
      );
      expect(rest.state).toBe("done");
      const rows = await written(jobId);
      expect(rows.map(sampleKey).sort()).toEqual(batch.map(sampleKey).sort());
      expect(rows.find((r) => r.row === 5)).toMatchObject({ status: "failed", attempts: 2 });
      // Only what the first run had not written was generated again (the failing one twice).
      const missing = batch.map(sampleKey).filter((k) => !before.has(k));
      expect([...new Set(generatedAfter)].sort()).toEqual(missing.sort());
      expect(generatedAfter.filter((k) => k === "5:0")).toHaveLength(2);
    });

    it("committing a sample drops its saved columns in the same statement", async () => {
      const jobId = await newJob(1, 1);
      const task = { row: 0, sample: 0 };
      const column = { value: "v", messages: [], promptTokens: 1, completionTokens: 1 };
      await saveSampleColumn(db, jobId, task, "topic", column);
      expect(Object.keys(await loadSampleColumns(db, jobId, task))).toEqual(["topic"]);
      await commitSample(db, jobId, { status: "ok", attempts: 1, ...task, ...sample(task) });
      expect(await loadSampleColumns(db, jobId, task)).toEqual({});
    });
  });
}
