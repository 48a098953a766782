/**
 * The jobs queue's consumer in workerd with real D1 and the provider fakes: batches of a job's
 * keys generated through the edge's own pipeline as the job's tenant, each key written once
 * (a redelivered batch generates and writes nothing), refusals recorded as failed samples, and a
 * cancelled job's batches acknowledged without work.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../env.ts";
import { createEdgeApp } from "../index.ts";
import { fakeCalls, fakePeaks, fakeProviderBindings } from "../test/gateway.ts";
import { createJobConsumer, type JobBatchMessage } from "./consumer.ts";

const TENANT = "tenant-jobs";
const app = createEdgeApp();
const consumer = createJobConsumer(app);
// Retries are left to the job engine, and no circuit opens (its Retry-After is the cooldown).
const policy = { retry: { attempts: 0 }, circuitBreaker: { failureThreshold: 1000 } };
const bindings = () =>
  ({ ...env, ...fakeProviderBindings(), ROUTING_POLICY: policy }) as unknown as Bindings;
let jobNo = 0;

/** A job of `rows` seed rows × `perRow` samples on `model`, straight in D1. */
async function seedJob(
  model: string,
  rows: number,
  perRow: number,
  status = "running",
  tenant = TENANT,
) {
  const id = `job-consumer-${++jobNo}`;
  await env.DB.batch([
    // The template belongs to the first tenant; jobs of others use it by id, as the consumer does.
    ...[...new Set([TENANT, tenant])].map((t) =>
      env.DB.prepare("INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (?, ?, 0)").bind(
        t,
        t,
      ),
    ),
    env.DB.prepare(
      "INSERT OR IGNORE INTO templates (id, tenant_id, name, version, prompt, variables, params, created_at) VALUES ('tpl-consumer', ?, 'story', 1, 'A story about {{ topic }}', '[\"topic\"]', '{}', 0)",
    ).bind(TENANT),
    env.DB.prepare(
      "INSERT INTO jobs (id, tenant_id, template_id, model, params, samplers, row_count, samples_per_row, concurrency, seed, status) VALUES (?, ?, 'tpl-consumer', ?, '{\"max_tokens\":20}', '{}', ?, ?, 4, 7, ?)",
    ).bind(id, tenant, model, rows, perRow, status),
    ...Array.from({ length: rows }, (_, row) =>
      env.DB.prepare("INSERT INTO job_rows (job_id, row_index, variables) VALUES (?, ?, ?)").bind(
        id,
        row,
        JSON.stringify({ topic: `topic ${row}` }),
      ),
    ),
  ]);
  return id;
}

/** The job's keys in batches of `size`, as queue messages. */
function batchesOf(jobId: string, rows: number, perRow: number, size: number, tenant = TENANT) {
  const keys = Array.from({ length: rows * perRow }, (_, k): [number, number] => [
    Math.floor(k / perRow),
    k % perRow,
  ]);
  const messages = [];
  for (let i = 0; i < keys.length; i += size) {
    const body: JobBatchMessage = { jobId, tenantId: tenant, tasks: keys.slice(i, i + size) };
    messages.push({ id: `m-${jobId}-${i}`, timestamp: new Date(), attempts: 1, body });
  }
  return createMessageBatch<JobBatchMessage>("textnlp-jobs", messages);
}

async function deliver(batch: MessageBatch<JobBatchMessage>, extra: Partial<Bindings> = {}) {
  const ctx = createExecutionContext();
  await consumer(batch, { ...bindings(), ...extra } as Bindings, ctx);
  return getQueueResult(batch, ctx);
}

async function samplesOf(jobId: string) {
  const { results } = await env.DB.prepare(
    "SELECT row_index AS row, sample_index AS sample, status, output, error FROM samples WHERE job_id = ? ORDER BY row_index, sample_index",
  )
    .bind(jobId)
    .all<{ row: number; sample: number; status: string; output: string | null; error: string }>();
  return results;
}

describe("the jobs queue consumer", () => {
  it("generates every key of a job once through the edge's pipeline, and a redelivery adds nothing", async () => {
    const model = "gpt-4o-mini-job-once";
    const jobId = await seedJob(`openai/${model}`, 25, 4);
    const batch = batchesOf(jobId, 25, 4, 10);
    const result = await deliver(batch);
    expect(result.explicitAcks).toHaveLength(10);
    expect(result.retryMessages).toEqual([]);
    const written = await samplesOf(jobId);
    expect(written).toHaveLength(100);
    expect(new Set(written.map((s) => `${s.row}:${s.sample}`)).size).toBe(100);
    expect(written.every((s) => s.status === "ok")).toBe(true);
    expect(written[0]?.output).toBe("Hello from openai! You said: A story about topic 0");
    expect((await fakeCalls("openai"))[model]).toBe(100);
    // Metered as the job's tenant, as an interactive call would be.
    const usage = await env.DB.prepare(
      "SELECT count(*) AS n, sum(completion_tokens) AS tokens FROM usage_events WHERE tenant_id = ? AND model = ?",
    )
      .bind(TENANT, `openai/${model}`)
      .first<{ n: number; tokens: number }>();
    expect(usage?.n).toBe(100);
    expect(usage?.tokens).toBeGreaterThan(0);

    const again = await deliver(batchesOf(jobId, 25, 4, 10));
    expect(again.explicitAcks).toHaveLength(10);
    expect(await samplesOf(jobId)).toHaveLength(100);
    expect((await fakeCalls("openai"))[model]).toBe(100);
  });

  it("meters a job's samples under the API key that created it", async () => {
    const model = "gpt-4o-mini-job-key";
    const jobId = await seedJob(`openai/${model}`, 2, 1);
    await env.DB.prepare("UPDATE jobs SET key_id = 'key-job-owner' WHERE id = ?").bind(jobId).run();
    expect((await deliver(batchesOf(jobId, 2, 1, 2))).explicitAcks).toHaveLength(1);
    const { results } = await env.DB.prepare(
      "SELECT key_id AS keyId, status FROM usage_events WHERE tenant_id = ? AND model = ?",
    )
      .bind(TENANT, `openai/${model}`)
      .all<{ keyId: string | null; status: number }>();
    expect(results).toEqual([
      { keyId: "key-job-owner", status: 200 },
      { keyId: "key-job-owner", status: 200 },
    ]);
  });

  it("records a sample the provider refuses as failed, with the provider's words", async () => {
    const jobId = await seedJob("openai/gpt-job-err400", 2, 1);
    const result = await deliver(batchesOf(jobId, 2, 1, 2));
    expect(result.explicitAcks).toHaveLength(1);
    const written = await samplesOf(jobId);
    expect(written.map((s) => s.status)).toEqual(["failed", "failed"]);
    expect(written[0]?.error).toContain("Fake openai error 400");
  });

  it("rides out 429s and records a provider that keeps failing as failed samples, each key once", async () => {
    const flaky = "gpt-job-flaky429x2ra1";
    const flakyJob = await seedJob(`openai/${flaky}`, 4, 1);
    const failingJob = await seedJob("openai/gpt-job-err500", 2, 1);
    const [flakyResult, failingResult] = await Promise.all([
      deliver(batchesOf(flakyJob, 4, 1, 4)),
      deliver(batchesOf(failingJob, 2, 1, 2)),
    ]);
    expect([flakyResult, failingResult].map((r) => r.explicitAcks.length)).toEqual([1, 1]);
    const flakyWritten = await samplesOf(flakyJob);
    expect(flakyWritten.map((s) => s.status)).toEqual(["ok", "ok", "ok", "ok"]);
    // Two refusals, then one call per sample.
    expect((await fakeCalls("openai"))[flaky]).toBe(6);
    // A provider failing every time: retried by the gateway and the job engine, then recorded.
    const failed = await samplesOf(failingJob);
    expect(failed.map((s) => [s.row, s.status])).toEqual([
      [0, "failed"],
      [1, "failed"],
    ]);
    expect(failed[0]?.error).toContain("Fake openai error 500");
  }, 30_000);

  it("a consumer that dies after writing part of its batch: the message is retried, each key ends once", async () => {
    const model = "gpt-4o-mini-job-dies";
    const jobId = await seedJob(`openai/${model}`, 10, 1);
    // D1 as an isolate that ends after its 4th sample write: every later statement fails.
    let writes = 0;
    const statement = (stmt: D1PreparedStatement): D1PreparedStatement =>
      new Proxy(stmt, {
        get(target, prop) {
          if (prop === "bind") return (...values: unknown[]) => statement(target.bind(...values));
          if (prop === "run" || prop === "all" || prop === "raw")
            return async (...args: unknown[]) => {
              if (++writes > 4) throw new Error("the isolate ended");
              return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const dying = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "prepare")
          return (query: string) =>
            /^insert into "samples"/i.test(query)
              ? statement(target.prepare(query))
              : target.prepare(query);
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const ctx = createExecutionContext();
    const first = batchesOf(jobId, 10, 1, 10);
    await consumer(first, { ...bindings(), DB: dying } as Bindings, ctx);
    const result = await getQueueResult(first, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await samplesOf(jobId)).toHaveLength(4);
    // Redelivered to a healthy isolate: the 4 written keys are skipped, the other 6 written once.
    const again = await deliver(batchesOf(jobId, 10, 1, 10));
    expect(again.explicitAcks).toHaveLength(1);
    const written = await samplesOf(jobId);
    expect(written.map((s) => s.row)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(written.every((s) => s.status === "ok")).toBe(true);
  });

  it("takes a batch of more keys than D1 binds values in one statement", async () => {
    const jobId = await seedJob("openai/gpt-4o-mini-job-wide", 150, 1);
    const result = await deliver(batchesOf(jobId, 150, 1, 150));
    expect(result.explicitAcks).toHaveLength(1);
    const written = await samplesOf(jobId);
    expect(written).toHaveLength(150);
    expect(written.every((s) => s.status === "ok")).toBe(true);
    // A redelivery reads the 150 keys as written.
    expect((await deliver(batchesOf(jobId, 150, 1, 150))).explicitAcks).toHaveLength(1);
    expect((await fakeCalls("openai"))["gpt-4o-mini-job-wide"]).toBe(150);
  }, 60_000);

  it("generates a comparison's keys in turn on each model, on the same prompt, and records who answered", async () => {
    const [a, b] = ["gpt-4o-mini-job-compare-a", "gpt-4o-mini-job-compare-b"];
    // Two keys a row (one sample × two models), as the jobs route stores a comparison.
    const jobId = await seedJob(`openai/${a}`, 3, 2);
    const models = [a, b].map((m) => ({
      name: `openai/${m}`,
      target: `openai/${m}`,
      version: null,
      sha256: null,
    }));
    await env.DB.prepare("UPDATE jobs SET models = ? WHERE id = ?")
      .bind(JSON.stringify(models), jobId)
      .run();
    expect((await deliver(batchesOf(jobId, 3, 2, 6))).explicitAcks).toHaveLength(1);
    const calls = await fakeCalls("openai");
    expect([calls[a], calls[b]]).toEqual([3, 3]);
    const { results } = await env.DB.prepare(
      "SELECT sample_index AS sample, output, variables, model, model_version AS version FROM samples WHERE job_id = ? ORDER BY row_index, sample_index",
    )
      .bind(jobId)
      .all<{ sample: number; output: string; variables: string; model: string; version: null }>();
    expect(results).toHaveLength(6);
    for (const [i, s] of results.entries()) {
      expect(s.model).toContain(s.sample === 0 ? a : b);
      expect(s.version).toBeNull();
      // Both models of a row were asked the same prompt (the fake echoes it).
      if (s.sample === 1) {
        expect(s.output).toBe(results[i - 1]?.output);
        expect(s.variables).toBe(results[i - 1]?.variables);
      }
    }
  });

  it("acknowledges a cancelled job's batches without generating anything", async () => {
    const model = "gpt-4o-mini-job-cancelled";
    const jobId = await seedJob(`openai/${model}`, 3, 1, "cancelled");
    const result = await deliver(batchesOf(jobId, 3, 1, 3));
    expect(result.explicitAcks).toHaveLength(1);
    expect(await samplesOf(jobId)).toEqual([]);
    expect((await fakeCalls("openai"))[model]).toBeUndefined();
  });
});

describe("the tenant-wide bound on job samples in flight (JOB_SLOTS)", () => {
  const slotsOf = (tenant: string) => {
    const namespace = env.JOB_SLOTS as NonNullable<Bindings["JOB_SLOTS"]>;
    return namespace.get(namespace.idFromName(tenant));
  };

  it("holds across batches of several jobs running at once, and leaves other tenants alone", async () => {
    const tenant = "tenant-slots";
    const model = "gpt-4o-mini-lat150-slots";
    const other = "gpt-4o-mini-lat150-slots-other";
    const [a, b, c] = [
      await seedJob(`openai/${model}`, 8, 1, "running", tenant),
      await seedJob(`openai/${model}`, 8, 1, "running", tenant),
      await seedJob(`openai/${other}`, 8, 1, "running", "tenant-slots-other"),
    ];
    // Each job asks for 4 at once: unbounded, the two jobs would hold 8 calls open together.
    const bound = { JOB_TENANT_CONCURRENCY: "3" } as Partial<Bindings>;
    const results = await Promise.all([
      deliver(batchesOf(a, 8, 1, 8, tenant), bound),
      deliver(batchesOf(b, 8, 1, 8, tenant), bound),
      deliver(batchesOf(c, 8, 1, 8, "tenant-slots-other"), bound),
    ]);
    expect(results.map((r: { explicitAcks: unknown[] }) => r.explicitAcks.length)).toEqual([
      1, 1, 1,
    ]);
    for (const job of [a, b, c]) {
      const written = await samplesOf(job);
      expect(written.map((s) => s.status)).toEqual(Array(8).fill("ok"));
    }
    const peaks = await fakePeaks("openai");
    expect(peaks[model]).toBeLessThanOrEqual(3);
    expect(peaks[model]).toBeGreaterThanOrEqual(2);
    // Another tenant's batch ran beside them with its job's own concurrency.
    expect(peaks[other]).toBe(3);
    expect(await slotsOf(tenant).held()).toBe(0);
  }, 30_000);

  it("puts a batch back on the queue when no slot comes free, without using up its retries", async () => {
    const tenant = "tenant-slots-full";
    const model = "gpt-4o-mini-slots-full";
    const jobId = await seedJob(`openai/${model}`, 2, 1, "running", tenant);
    // Another consumer holds every slot for a minute.
    expect(await slotsOf(tenant).acquire("hog", 5, 2, 60_000, 1000)).toBe(2);
    const sent: { body: JobBatchMessage; delaySeconds?: number }[] = [];
    const queue = {
      async send(body: JobBatchMessage, options?: { delaySeconds?: number }) {
        sent.push({ body, delaySeconds: options?.delaySeconds });
      },
    };
    const result = await deliver(batchesOf(jobId, 2, 1, 2, tenant), {
      JOB_TENANT_CONCURRENCY: "2",
      JOB_SLOT_WAIT_SECONDS: "0.2",
      JOBS_QUEUE: queue as unknown as Queue<JobBatchMessage>,
    });
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.tasks).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(sent[0]?.delaySeconds).toBeGreaterThan(0);
    expect(await samplesOf(jobId)).toEqual([]);
    expect((await fakeCalls("openai"))[model]).toBeUndefined();
    await slotsOf(tenant).release("hog");
  });

  it("frees the slots of a consumer that died holding them once its lease runs out", async () => {
    const tenant = "tenant-slots-crash";
    const model = "gpt-4o-mini-slots-crash";
    const jobId = await seedJob(`openai/${model}`, 3, 1, "running", tenant);
    // A consumer took both slots for 300 ms and never gave them back.
    expect(await slotsOf(tenant).acquire("crashed", 2, 2, 300, 1000)).toBe(2);
    const result = await deliver(batchesOf(jobId, 3, 1, 3, tenant), {
      JOB_TENANT_CONCURRENCY: "2",
      JOB_SLOT_WAIT_SECONDS: "20",
    });
    expect(result.explicitAcks).toHaveLength(1);
    expect((await samplesOf(jobId)).map((s) => s.status)).toEqual(["ok", "ok", "ok"]);
    expect(await slotsOf(tenant).held()).toBe(0);
  });
});
