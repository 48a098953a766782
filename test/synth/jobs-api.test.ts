/**
 * Jobs on both halves from one shared module (shared/synth/routes/jobs.ts), through the typed
 * SDK over real HTTP: the appliance generates on its own model in-process; the edge (its bundle
 * in workerd via Miniflare, real D1 and Miniflare's local Queues) puts batches of sample keys on
 * the jobs queue, and its own consumer generates them through the gateway against a loopback
 * OpenAI fake. Same routes, same statuses, each key exactly once.
 */
import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TextNlpClient } from "../../shared/sdk/index.ts";
import { STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";
import { refusal } from "../helpers/halves.ts";
import { allSamples, follow, keysOf, startEdgeWithJobs } from "../helpers/jobs.ts";

/** A half running jobs: a client of a tenant holding the `templates`, `jobs` and `datasets` scopes. */
interface JobsHalf {
  client: TextNlpClient;
  /** The model jobs name. */
  model: string;
  /**
   * The same, slow enough that a pause or cancel sent right after creation finds the job still
   * running on any machine (the edge's fake waits 100 ms a call; the appliance's model is not
   * that fast on 40 samples either).
   */
  slowModel: string;
  /** Keys of exports the half stored (the edge's R2 bucket); none where exports stream from the database. */
  storedExports(): Promise<string[]>;
  close(): Promise<void>;
}

async function edgeHalf(): Promise<JobsHalf> {
  const { edge, close } = await startEdgeWithJobs(
    { JOB_BATCH_SIZE: "10" },
    { jobsQueue: { maxBatchSize: 4 } },
  );
  return {
    client: createKeyClient(
      edge.url,
      await edge.seedApiKey({ scopes: ["templates", "jobs", "datasets"] }),
    ),
    model: "openai/gpt-4o-mini-jobs",
    slowModel: "openai/gpt-4o-mini-jobs-lat100",
    storedExports: async () =>
      (await (await edge.mf.getR2Bucket("DATASETS")).list()).objects.map((o) => o.key),
    close,
  };
}

async function applianceHalf(): Promise<JobsHalf> {
  const appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
  return {
    client: createKeyClient(appliance.url, "open"),
    model: "stories260K",
    slowModel: "stories260K",
    storedExports: async () => [],
    close: async () => {
      await appliance.stop();
      appliance.cleanup();
    },
  };
}

function createKeyClient(baseUrl: string, apiKey: string): TextNlpClient {
  return createClient({ baseUrl, apiKey });
}

describe.each([
  ["edge (workerd, D1, Queues)", edgeHalf, 500],
  ["appliance (Node, SQLite, llama.cpp)", applianceHalf, 40],
] as const)("jobs on the %s", (_name, start, total) => {
  let half: JobsHalf;
  /** The first test's finished job. */
  let finished: string;

  beforeAll(async () => {
    half = await start();
    await half.client.templates.create({
      name: "story",
      prompt: "A story about {{ topic }}",
      params: { max_tokens: 8 },
    });
  });
  afterAll(() => half?.close());

  it(`runs a ${total}-sample job to done with each key exactly once`, async () => {
    const perRow = 4;
    const rows = Array.from({ length: total / perRow }, (_, i) => ({ topic: `topic ${i}` }));
    const created = await half.client.jobs.create({
      template: "story",
      model: half.model,
      rows,
      samples_per_row: perRow,
      concurrency: 4,
      seed: 7,
    });
    expect(created).toMatchObject({ object: "job", total, rows: rows.length, model: half.model });
    expect(["queued", "running"]).toContain(created.status);
    const last = await follow(half.client, created.id);
    expect(last.status).toBe("done");
    expect(last.progress).toMatchObject({ done: total, ok: total, failed: 0 });
    expect(last.finished_at).toBeGreaterThanOrEqual(last.created_at);
    const samples = await allSamples(half.client, created.id);
    expect(samples).toHaveLength(total);
    expect(keysOf(samples).size).toBe(total);
    expect(samples.every((s) => s.status === "ok" && (s.output ?? "").length > 0)).toBe(true);
    expect((await half.client.jobs.list()).data.map((j) => j.id)).toContain(created.id);
    finished = created.id;
  });

  it("exports the finished job's dataset, JSONL and Parquet round-tripping, and deletes it", async () => {
    const datasets = await half.client.datasets.list();
    expect(datasets.data.find((d) => d.id === finished)).toMatchObject({
      samples: total,
      kept: total,
      model: half.model,
    });
    const samples = await allSamples(half.client, finished);
    const text = async (format: "jsonl" | "csv" | "parquet") =>
      new Response(await half.client.datasets.export(finished, { format })).arrayBuffer();
    const jsonl = new TextDecoder().decode(await text("jsonl"));
    const lines = jsonl
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.row, l.sample, l.output])).toEqual(
      samples.map((s) => [s.row, s.sample, s.output]),
    );
    // Served again (on the edge: from R2, written once), byte for byte the same.
    expect(new TextDecoder().decode(await text("jsonl"))).toBe(jsonl);
    const parquet = tableFromIPC(
      readParquet(new Uint8Array(await text("parquet"))).intoIPCStream(),
    );
    expect(parquet.numRows).toBe(total);
    expect(parquet.getChild("output")?.toArray()).toEqual(samples.map((s) => s.output));
    const stored = await half.storedExports();
    if (half.model.startsWith("openai/")) {
      expect(stored.filter((k) => k.includes(finished)).sort()).toEqual([
        expect.stringMatching(/\/kept\.jsonl$/),
        expect.stringMatching(/\/kept\.parquet$/),
      ]);
    }
    expect(await half.client.datasets.delete(finished)).toMatchObject({ deleted: true });
    expect((await half.client.datasets.list()).data.map((d) => d.id)).not.toContain(finished);
    expect(await refusal(half.client.datasets.samples(finished))).toMatchObject({ status: 404 });
    expect((await half.storedExports()).filter((k) => k.includes(finished))).toEqual([]);
  });

  it("pauses (work stops, written samples stay) and resumes to exactly every key once", async () => {
    const created = await half.client.jobs.create({
      template: "story",
      model: half.slowModel,
      row_count: 10,
      samplers: { topic: { type: "list", values: ["cats", "ships", "rain"] } },
      samples_per_row: 4,
      concurrency: 2,
    });
    const paused = await half.client.jobs.pause(created.id);
    expect(paused.status).toBe("paused");
    // A paused job's stream ends at once with its state.
    expect((await follow(half.client, created.id)).status).toBe("paused");
    // Pausing twice changes nothing; cancel and resume are the ways out.
    expect((await half.client.jobs.pause(created.id)).status).toBe("paused");
    const resumed = await half.client.jobs.resume(created.id);
    expect(["queued", "running", "done"]).toContain(resumed.status);
    const last = await follow(half.client, created.id);
    expect(last).toMatchObject({ status: "done", progress: { done: 40, ok: 40 } });
    const samples = await allSamples(half.client, created.id);
    expect(keysOf(samples).size).toBe(40);
    expect(samples).toHaveLength(40);
  });

  it("cancels for good: the job ends cancelled and resume starts it again", async () => {
    const created = await half.client.jobs.create({
      template: "story",
      model: half.slowModel,
      row_count: 20,
      samplers: { topic: { type: "list", values: ["owls"] } },
      samples_per_row: 2,
    });
    const cancelled = await half.client.jobs.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.finished_at).not.toBeNull();
    expect((await half.client.jobs.get(created.id)).status).toBe("cancelled");
    // Cancelling a cancelled job is a no-op; resume generates only what is missing.
    expect((await half.client.jobs.cancel(created.id)).status).toBe("cancelled");
    await half.client.jobs.resume(created.id);
    const last = await follow(half.client, created.id);
    expect(last).toMatchObject({ status: "done", progress: { done: 40 } });
    expect(keysOf(await allSamples(half.client, created.id)).size).toBe(40);
  });

  it("refuses an unknown model or template before storing anything", async () => {
    const before = (await half.client.jobs.list()).data.length;
    const model = await refusal(
      half.client.jobs.create({ template: "story", model: "no-such-model", row_count: 1 }),
    );
    expect(model.status).toBe(404);
    expect(model.code).toBe("model_not_found");
    const template = await refusal(
      half.client.jobs.create({ template: "nope", model: half.model, row_count: 1 }),
    );
    expect(template).toMatchObject({ status: 404, code: "template_not_found" });
    const job = await refusal(half.client.jobs.get("job_missing"));
    expect(job).toMatchObject({ status: 404, code: "job_not_found" });
    expect((await half.client.jobs.list()).data).toHaveLength(before);
  });
});
