import { join } from "node:path";
import Ajv from "ajv";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";

const outputSchema = {
  type: "object",
  properties: {
    title: { type: "string", maxLength: 24 },
    mood: { enum: ["happy", "sad", "calm"] },
    happy_end: { type: "boolean" },
  },
  required: ["title", "mood", "happy_end"],
  additionalProperties: false,
};

const template = {
  name: "story-card",
  system: "You write story cards as JSON.",
  prompt: "Write a {{ mood }} story card about {{ topic }} for a {{ age }} year old.",
  output_schema: outputSchema,
  params: { temperature: 0.9, max_tokens: 96 },
};

type Json = Record<string, unknown>;
const post = (url: string, json: unknown) => raw(url, { method: "POST", json });

async function waitForJob(
  url: string,
  id: string,
  until: (job: Json) => boolean,
  timeoutMs = 240_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await raw(`${url}/v1/jobs/${id}`)).body as Json;
    if (until(job)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} did not get there: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("synthetic data jobs on the appliance", () => {
  let appliance: ApplianceProcess;

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("versions templates, previews prompts and names a missing variable", async () => {
    const v1 = await post(`${appliance.url}/v1/templates`, template);
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    expect(v1.body).toMatchObject({
      name: "story-card",
      version: 1,
      variables: ["age", "mood", "topic"],
    });
    const v2 = await post(`${appliance.url}/v1/templates`, {
      ...template,
      params: { temperature: 0.5 },
    });
    expect(v2.body).toMatchObject({ version: 2 });
    const versions = await raw(`${appliance.url}/v1/templates/story-card/versions`);
    expect((versions.body.data as Json[]).map((t) => t.version)).toEqual([2, 1]);

    const preview = await post(`${appliance.url}/v1/templates/story-card/preview`, {
      rows: [{ topic: "a boat", age: 5 }],
      samplers: { mood: { type: "categories", values: { happy: 1 } } },
    });
    expect(preview.body.data).toEqual([
      {
        row: 0,
        variant: null,
        variables: { topic: "a boat", age: 5, mood: "happy" },
        messages: [
          { role: "system", content: "You write story cards as JSON." },
          { role: "user", content: "Write a happy story card about a boat for a 5 year old." },
        ],
      },
    ]);
    const missing = await post(`${appliance.url}/v1/templates/story-card/preview`, {
      rows: [{ topic: "x" }],
    });
    expectEnvelope(missing, 400, { code: "missing_variable" });
    expect(missing.body.error?.message).toMatch(/missing variable '(age|mood)'/);

    expectEnvelope(
      await post(`${appliance.url}/v1/templates`, { name: "bad", prompt: "{% if %}" }),
      400,
      {
        code: "invalid_template",
        param: "prompt",
      },
    );
    expectEnvelope(
      await post(`${appliance.url}/v1/templates`, {
        name: "bad",
        prompt: "x",
        output_schema: { type: "nope" },
      }),
      400,
      { code: "invalid_json_schema" },
    );
    expectEnvelope(
      await post(`${appliance.url}/v1/jobs`, {
        template: "ghost",
        model: "stories260K",
        row_count: 1,
      }),
      404,
      {
        code: "template_not_found",
      },
    );
    expectEnvelope(
      await post(`${appliance.url}/v1/jobs`, {
        template: "story-card",
        model: "ghost",
        row_count: 1,
      }),
      404,
      {
        code: "model_not_found",
      },
    );
    expectEnvelope(
      await post(`${appliance.url}/v1/jobs`, { template: "story-card", model: "stories260K" }),
      400,
      {
        param: "rows",
      },
    );

    // An estimate counts prompt tokens exactly as generation will, before anything runs.
    const one = {
      template: "story-card",
      template_version: 1,
      model: "stories260K",
      rows: [{ topic: "a kite", age: 4 }],
      samplers: { mood: { type: "list", values: ["calm"] } },
    };
    const estimate = await post(`${appliance.url}/v1/jobs/estimate`, one);
    expect(estimate.body).toMatchObject({
      object: "job_estimate",
      samples: 1,
      prompt_tokens_exact: true,
      max_completion_tokens: 96,
      tokens_per_second: null,
      max_seconds: null,
      max_cost_usd: null,
    });
    const chat = await post(`${appliance.url}/v1/chat/completions`, {
      model: "stories260K",
      max_tokens: 1,
      messages: [
        { role: "system", content: "You write story cards as JSON." },
        { role: "user", content: "Write a calm story card about a kite for a 4 year old." },
      ],
    });
    expect(estimate.body.prompt_tokens).toBe(
      (chat.body.usage as { prompt_tokens: number }).prompt_tokens,
    );
    const big = await post(`${appliance.url}/v1/jobs/estimate`, {
      ...one,
      rows: undefined,
      row_count: 300,
      samples_per_row: 2,
      samplers: {
        ...one.samplers,
        topic: { type: "list", values: ["a fox", "snow"] },
        age: { type: "range", min: 3, max: 9, integer: true },
      },
    });
    expect(big.body).toMatchObject({
      samples: 600,
      prompt_tokens_exact: false,
      max_completion_tokens: 600 * 96,
    });
  });

  it("turns 20 seed rows × 10 samples with a sampler and a JSON schema into 200 valid records", async () => {
    const topics = ["a cat", "the sea", "a red ball", "rain", "a lost shoe"];
    const rows = Array.from({ length: 20 }, (_, i) => ({
      topic: topics[i % topics.length],
      age: 3 + (i % 6),
    }));
    const created = await post(`${appliance.url}/v1/jobs`, {
      template: "story-card",
      template_version: 1,
      model: "stories260K",
      rows,
      samples_per_row: 10,
      samplers: { mood: { type: "categories", values: { happy: 2, sad: 1, calm: 1 } } },
      concurrency: 4,
      seed: 42,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      total: 200,
      template: { name: "story-card", version: 1 },
    });
    const id = created.body.id as string;

    // Progress arrives as server-sent events until the job ends.
    const events = await fetch(`${appliance.url}/v1/jobs/${id}/events`);
    const text = await events.text();
    const snapshots = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => JSON.parse(e.slice(6)) as { status: string; progress: { done: number } });
    expect(snapshots.length).toBeGreaterThan(2);
    expect(snapshots.at(-1)).toMatchObject({ status: "done", progress: { done: 200 } });
    const dones = snapshots.map((s) => s.progress.done);
    expect([...dones].sort((a, b) => a - b)).toEqual(dones);

    const job = (await raw(`${appliance.url}/v1/jobs/${id}`)).body as Json;
    expect(job).toMatchObject({ status: "done", progress: { done: 200, ok: 200, failed: 0 } });
    const after = await post(`${appliance.url}/v1/jobs/estimate`, {
      template: "story-card",
      model: "stories260K",
      rows,
      samplers: { mood: { type: "list", values: ["sad"] } },
    });
    expect(after.body.tokens_per_second).toBeGreaterThan(0);
    expect(after.body.max_seconds).toBeCloseTo(
      (after.body.max_completion_tokens as number) / (after.body.tokens_per_second as number),
      6,
    );
    const validate = new Ajv({ strict: false }).compile(outputSchema);
    const all: Json[] = [];
    for (let offset = 0; ; offset += 80) {
      const page = await raw(`${appliance.url}/v1/jobs/${id}/samples?offset=${offset}&limit=80`);
      all.push(...(page.body.data as Json[]));
      if (!page.body.has_more) break;
    }
    expect(all).toHaveLength(200);
    expect(new Set(all.map((s) => `${s.row}:${s.sample}`)).size).toBe(200);
    for (const sample of all) {
      expect(validate(JSON.parse(sample.output as string)), String(sample.output)).toBe(true);
      const variables = sample.variables as Json;
      expect(variables.topic).toBe(rows[sample.row as number]?.topic);
      expect(["happy", "sad", "calm"]).toContain(variables.mood);
    }
  });
});

describe("A/B variants", () => {
  it("draws a variant per sample by weight, renders its prompt and records its name", async () => {
    const appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    try {
      const created = await post(`${appliance.url}/v1/templates`, {
        name: "ab",
        prompt: "unused {{ x }}",
        params: { max_tokens: 4 },
        variants: [
          { name: "short", weight: 3, prompt: "Say {{ x }}." },
          { name: "long", weight: 1, system: "Be verbose.", prompt: "Tell me all about {{ x }}." },
        ],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const job = await post(`${appliance.url}/v1/jobs`, {
        template: "ab",
        model: "stories260K",
        rows: [{ x: "cats" }],
        samples_per_row: 40,
        seed: 11,
        concurrency: 4,
      });
      await waitForJob(appliance.url, job.body.id as string, (j) => j.status === "done");
      const jsonl = await (
        await fetch(`${appliance.url}/v1/datasets/${job.body.id}/export?format=jsonl`)
      ).text();
      const chat = await (
        await fetch(`${appliance.url}/v1/datasets/${job.body.id}/export?format=chat`)
      ).text();
      const lines = jsonl
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { variant: string });
      const conversations = chat
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
      const counts = { short: 0, long: 0 } as Record<string, number>;
      for (const [i, line] of lines.entries()) {
        counts[line.variant] = (counts[line.variant] ?? 0) + 1;
        const first = conversations[i]?.messages[0];
        if (line.variant === "short") expect(first).toEqual({ role: "user", content: "Say cats." });
        else expect(first).toEqual({ role: "system", content: "Be verbose." });
      }
      expect(Object.keys(counts).sort()).toEqual(["long", "short"]);
      expect(counts.short).toBeGreaterThan(counts.long as number);
      expectEnvelope(
        await post(`${appliance.url}/v1/templates`, {
          name: "ab2",
          prompt: "x",
          variants: [
            { name: "a", weight: 1, prompt: "{% if %}" },
            { name: "b", weight: 1, prompt: "y" },
          ],
        }),
        400,
        { param: "variants.0.prompt" },
      );
    } finally {
      await appliance.stop();
      appliance.cleanup();
    }
  });
});

describe("a job killed with kill -9 and resumed", () => {
  it("ends with exactly the keys of an uninterrupted run, none twice", async () => {
    const dataDir = tempDataDir();
    const rowCount = 12;
    const perRow = 5;
    let appliance = await startAppliance({ dataDir, args: ["--model", STORIES_MODEL] });
    await post(`${appliance.url}/v1/templates`, {
      name: "tiny",
      prompt: "A story about {{ thing }}.",
      params: { max_tokens: 24 },
    });
    const created = await post(`${appliance.url}/v1/jobs`, {
      template: "tiny",
      model: "stories260K",
      row_count: rowCount,
      samples_per_row: perRow,
      samplers: { thing: { type: "list", values: ["a dog", "a tree", "the moon"] } },
      concurrency: 3,
      seed: 7,
    });
    const id = created.body.id as string;
    // Seeded kill points: after these many committed samples (and mid-generation in between).
    const killAt = [4, 17, 31, 45];
    for (const target of killAt) {
      await waitForJob(
        appliance.url,
        id,
        (job) => (job.progress as { done: number }).done >= target || job.status === "done",
      );
      appliance.proc.kill("SIGKILL");
      await appliance.stop();
      appliance = await startAppliance({ dataDir, args: ["--model", STORIES_MODEL] });
      expect(
        appliance.logs.some((l) => l.msg === "resuming jobs interrupted by the last stop"),
      ).toBe(true);
    }
    const done = await waitForJob(appliance.url, id, (job) => job.status === "done");
    expect(done.progress).toMatchObject({
      done: rowCount * perRow,
      ok: rowCount * perRow,
      failed: 0,
    });
    await appliance.stop();

    const db = new Database(join(dataDir, "textnlp.sqlite"), { readonly: true });
    const keys = db
      .prepare(
        "select row_index as r, sample_index as s, count(*) as n from samples where job_id = ? group by r, s",
      )
      .all(id) as { r: number; s: number; n: number }[];
    db.close();
    const expected = Array.from({ length: rowCount }, (_, r) =>
      Array.from({ length: perRow }, (_, s) => `${r}:${s}`),
    ).flat();
    expect(keys.map((k) => `${k.r}:${k.s}`).sort()).toEqual(expected.sort());
    expect(keys.every((k) => k.n === 1)).toBe(true);
    appliance.cleanup();
  });
});
