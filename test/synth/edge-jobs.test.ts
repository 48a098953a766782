/**
 * What only the edge's jobs face, run where they run: the bundle in workerd via Miniflare with
 * real D1, Miniflare's local Queues (batches delivered to the Worker's own consumer), the
 * reconcile monitor's Durable Object alarms, and a loopback OpenAI fake misbehaving on cue.
 * Lost queue messages are recovered by the monitor; 429s, 500s and cut answers end with each key
 * exactly once, failures recorded with the provider's words.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TextNlpClient } from "../../shared/sdk/index.ts";
import type { FakeServer } from "../fakes/server.ts";
import type { EdgeWorker } from "../helpers/edge.ts";
import { allSamples, follow, keysOf, startEdgeWithJobs } from "../helpers/jobs.ts";

interface Edge {
  edge: EdgeWorker;
  fake: FakeServer;
  client: TextNlpClient;
  /** The template jobs use (`story`, one `{{ topic }}`). */
  templateId: string;
  /** What the Worker printed (its console), line by line. */
  logs: string[];
  close(): Promise<void>;
}

async function startEdge(vars: Record<string, string> = {}): Promise<Edge> {
  const logs: string[] = [];
  const { edge, fake, close } = await startEdgeWithJobs(
    { JOB_BATCH_SIZE: "5", ...vars },
    {
      jobsQueue: { maxBatchSize: 2 },
      handleRuntimeStdio: (stdout, stderr) => {
        for (const stream of [stdout, stderr])
          stream.on("data", (chunk: Buffer) => logs.push(...chunk.toString().split("\n")));
      },
    },
  );
  const client = createClient({
    baseUrl: edge.url,
    apiKey: await edge.seedApiKey({ scopes: ["templates", "jobs", "datasets"] }),
  });
  const template = await client.templates.create({
    name: "story",
    prompt: "A story about {{ topic }}",
    params: { max_tokens: 8 },
  });
  return { edge, fake, client, templateId: template.id, logs, close };
}

describe("edge jobs: lost queue messages", () => {
  let e: Edge;
  // The monitor looks every half second: a job writing nothing for that long is re-enqueued.
  beforeAll(async () => {
    e = await startEdge({ JOB_RECONCILE_SECONDS: "0.5" });
  });
  afterAll(() => e?.close());

  it("the reconcile monitor re-enqueues the keys of messages that never arrive", async () => {
    // A running job of 10 rows × 4 samples whose queue messages were all lost after 6 keys were
    // written: stored straight in D1, as the API and the consumers would have left it.
    const jobId = "job_lost_messages";
    await e.edge.sql(
      "INSERT INTO jobs (id, tenant_id, template_id, model, params, samplers, row_count, samples_per_row, concurrency, seed, status, created_at, started_at) VALUES (?, 't', ?, 'openai/gpt-4o-mini-lost', '{\"max_tokens\":8}', '{}', 10, 4, 2, 7, 'running', 0, 0)",
      jobId,
      e.templateId,
    );
    for (let row = 0; row < 10; row++) {
      await e.edge.sql(
        "INSERT INTO job_rows (job_id, row_index, variables) VALUES (?, ?, ?)",
        jobId,
        row,
        JSON.stringify({ topic: `topic ${row}` }),
      );
    }
    for (let k = 0; k < 6; k++) {
      await e.edge.sql(
        "INSERT INTO samples (job_id, row_index, sample_index, status, variables, output, attempts) VALUES (?, ?, ?, 'ok', '{}', 'written before the loss', 1)",
        jobId,
        Math.floor(k / 4),
        k % 4,
      );
    }
    // What the API does when a job starts: its monitor watches it.
    const monitors = await e.edge.mf.getDurableObjectNamespace("JOB_MONITOR");
    const monitor = monitors.get(monitors.idFromName(jobId)) as unknown as {
      watch(id: string): Promise<void>;
    };
    await monitor.watch(jobId);

    const last = await follow(e.client, jobId);
    expect(last).toMatchObject({ status: "done", progress: { done: 40, ok: 40, failed: 0 } });
    const samples = await allSamples(e.client, jobId);
    expect(samples).toHaveLength(40);
    expect(keysOf(samples).size).toBe(40);
    // The keys written before the loss were left as they were. The 34 missing ones were generated
    // (a slow delivery can make the monitor re-enqueue a batch twice: more calls, one write).
    expect(samples.filter((s) => s.output === "written before the loss")).toHaveLength(6);
    expect(e.fake.calls()["gpt-4o-mini-lost"]).toBeGreaterThanOrEqual(34);
    expect(e.logs.some((l) => l.includes(`job ${jobId}: no key written`))).toBe(true);
  });
});

describe("edge jobs: a misbehaving provider", () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
  });
  afterAll(() => e?.close());

  it("rides out 429s and 500s and records cut answers as failed, each key exactly once", async () => {
    const run = async (model: string) => {
      const job = await e.client.jobs.create({
        template: "story",
        model: `openai/${model}`,
        row_count: 6,
        samplers: { topic: { type: "list", values: ["moss"] } },
        samples_per_row: 2,
        concurrency: 2,
      });
      return {
        model,
        last: await follow(e.client, job.id),
        samples: await allSamples(e.client, job.id),
      };
    };
    const [limited, failing, cut] = await Promise.all([
      run("gpt-jobs-flaky429x3"),
      run("gpt-jobs-flaky500x2"),
      run("gpt-jobs-cut"),
    ]);
    for (const { last, samples } of [limited, failing, cut]) {
      expect(last.status).toBe("done");
      expect(samples).toHaveLength(12);
      expect(keysOf(samples).size).toBe(12);
    }
    expect(limited.last.progress).toMatchObject({ ok: 12, failed: 0 });
    expect(failing.last.progress).toMatchObject({ ok: 12, failed: 0 });
    // Each refusal cost one call more: none written twice.
    expect(e.fake.calls()["gpt-jobs-flaky429x3"]).toBe(15);
    expect(e.fake.calls()["gpt-jobs-flaky500x2"]).toBe(14);
    // A provider that cuts every answer: retried, then each sample recorded as failed.
    expect(cut.last.progress).toMatchObject({ ok: 0, failed: 12 });
    expect(cut.samples.every((s) => s.status === "failed" && (s.error ?? "").length > 0)).toBe(
      true,
    );
  });
});

describe("edge jobs: post-processing as the last queue stage", () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
  });
  afterAll(() => e?.close());

  it("dedups and judges through the edge's own chat route once every key is written, then is done", async () => {
    await e.client.templates.create({
      name: "judge",
      prompt: "Rate this story from 0 to 5: {{ output }}",
    });
    const job = await e.client.jobs.create({
      template: "story",
      model: "openai/gpt-4o-mini-steps",
      row_count: 10,
      samplers: { topic: { type: "list", values: ["foxes", "kites"] } },
      samples_per_row: 1,
      steps: [
        { type: "dedup", mode: "exact" },
        // The fake answers structured outputs with 1 for every number: one judge keeps all.
        { type: "judge", template: "judge", threshold: 1 },
      ],
    });
    const last = await follow(e.client, job.id);
    expect(last).toMatchObject({
      status: "done",
      progress: { ok: 10, failed: 0, kept: 2, dropped: 8 },
    });
    const samples = await e.client.jobs.samples(job.id, { limit: 100 });
    const dropped = samples.data.filter((s) => s.kept === false);
    expect(dropped).toHaveLength(8);
    for (const s of dropped) expect(s.decision).toMatchObject({ type: "dedup" });
    const kept = samples.data.filter((s) => s.kept === true);
    expect(new Set(kept.map((s) => s.output)).size).toBe(2);
    // Ten generations, then one verdict for each of the two survivors.
    expect(e.fake.calls()["gpt-4o-mini-steps"]).toBe(12);
    // The dataset holds what post-processing kept.
    expect((await e.client.datasets.list()).data.find((d) => d.id === job.id)).toMatchObject({
      samples: 10,
      kept: 2,
    });
  });
});

describe("edge jobs: the tenant's budget", () => {
  const BUDGET = 400;
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge({ LIMITS: JSON.stringify({ tenant: { monthly_tokens: BUDGET } }) });
  });
  afterAll(() => e?.close());

  it("holds while a job runs beside interactive calls: refused samples fail at once, the rest once", async () => {
    const interactive = new OpenAI({
      baseURL: `${e.edge.url}/v1`,
      apiKey: await e.edge.seedApiKey({ scopes: ["inference", "admin:limits"] }),
      maxRetries: 0,
    });
    const job = await e.client.jobs.create({
      template: "story",
      model: "openai/gpt-4o-mini-budget",
      row_count: 40,
      samplers: { topic: { type: "list", values: ["tides"] } },
      samples_per_row: 1,
      concurrency: 2,
    });
    // Interactive calls of the same tenant while the job runs, until one is refused.
    let answered = 0;
    let refusal: unknown;
    while (!refusal) {
      await interactive.chat.completions
        .create({
          model: "openai/gpt-4o-mini-budget",
          messages: [{ role: "user", content: "A story about tides" }],
          max_tokens: 8,
        })
        .then(
          () => answered++,
          (err: unknown) => {
            refusal = err;
          },
        );
    }
    expect(refusal).toMatchObject({
      status: 429,
      code: "budget_exceeded",
      type: "insufficient_quota",
    });
    const last = await follow(e.client, job.id);
    // The job ends: samples past the budget fail at once (no month-long Retry-After wait).
    expect(last.status).toBe("done");
    expect(last.progress.ok + last.progress.failed).toBe(40);
    expect(last.progress.failed).toBeGreaterThan(0);
    const samples = await allSamples(e.client, job.id);
    expect(keysOf(samples).size).toBe(40);
    for (const s of samples.filter((x) => x.status === "failed"))
      expect(s.error).toMatch(/budget/i);
    // Only admitted calls reached the provider, and together they stayed within the budget.
    expect(e.fake.calls()["gpt-4o-mini-budget"]).toBe(last.progress.ok + answered);
    const limits = await (
      await fetch(`${e.edge.url}/v1/admin/limits/tenant`, {
        headers: { authorization: `Bearer ${interactive.apiKey}` },
      })
    ).json();
    expect(limits.usage.month.tokens).toBeGreaterThan(0);
    expect(limits.usage.month.tokens).toBeLessThanOrEqual(BUDGET);
  });
});
