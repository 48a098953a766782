import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  queryDataDir,
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
  waitFor,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";
import { checkPanelPage, createPanelUser, logInToPanel } from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

type Json = Record<string, unknown>;
type Sample = {
  row: number;
  sample: number;
  status: string;
  variables: Json;
  output: string | null;
  model: string | null;
  model_version: number | null;
  model_sha256: string | null;
};
const post = (url: string, json: unknown) => raw(url, { method: "POST", json });
const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/**
 * Provenance and comparisons on a real appliance: `llama` has two versions, two different tiny
 * GGUF files (1: tiny random, 2: stories260K), imported through the CLI.
 */
describe("jobs on model versions", () => {
  const dataDir = tempDataDir();
  const args = ["--data-dir", dataDir];
  const random = sha256Of(TINY_RANDOM_MODEL);
  const stories = sha256Of(STORIES_MODEL);
  let appliance: ApplianceProcess;
  let browser: BrowserSession | undefined;
  afterAll(async () => {
    await browser?.close();
    await appliance?.stop();
    appliance?.cleanup();
  });

  const jobOf = async (id: string) => (await raw(`${appliance.url}/v1/jobs/${id}`)).body as Json;
  const done = (id: string) =>
    waitFor(async () => {
      const job = await jobOf(id);
      return job.status === "done" ? job : undefined;
    });
  const samplesOf = async (id: string) =>
    (await raw(`${appliance.url}/v1/jobs/${id}/samples?limit=1000`)).body.data as Sample[];

  const topics = ["a frog", "a boat", "the sun", "a shoe", "a king", "a cup"];
  let comparison: string;
  let pinned: string;

  it("pins a bare name at creation, runs a comparison, and both survive an import and a kill -9", async () => {
    for (const file of [TINY_RANDOM_MODEL, STORIES_MODEL]) {
      const run = await runCli(["models", "import", file, "--name", "llama", ...args]);
      expect(run.code, run.stderr).toBe(0);
    }
    await createPanelUser(dataDir, "admin");
    appliance = await startAppliance({ dataDir });
    expect(
      (
        await post(`${appliance.url}/v1/templates`, {
          name: "tell",
          prompt: "Once upon a time {{ topic }}",
          params: { max_tokens: 8 },
        })
      ).status,
    ).toBe(201);
    const base = { template: "tell", rows: topics.map((topic) => ({ topic })), seed: 3 };

    // Refused before anything is stored: both or neither of model and models, repeats, unknowns.
    for (const [body, param] of [
      [{ ...base, model: "llama", models: ["llama@1", "llama@2"] }, "model"],
      [{ ...base }, "model"],
      [{ ...base, models: ["llama@1", "llama@1"] }, "models"],
      [{ ...base, models: ["llama@1"] }, "models"],
    ] as const) {
      expectEnvelope(await post(`${appliance.url}/v1/jobs`, body), 400, { param });
    }
    expect(
      (await post(`${appliance.url}/v1/jobs`, { ...base, models: ["llama@1", "llama@9"] })).status,
    ).toBe(404);

    // A judge would default to the first model: a comparison names its own.
    const judged = await post(`${appliance.url}/v1/jobs`, {
      ...base,
      models: ["llama@1", "llama@2"],
      steps: [{ type: "judge", template: "tell", threshold: 1 }],
    });
    expectEnvelope(judged, 400, { param: "steps.0.model" });
    // The estimate counts each model's samples.
    const estimate = await post(`${appliance.url}/v1/jobs/estimate`, {
      ...base,
      models: ["llama@1", "llama@2"],
      samples_per_row: 2,
    });
    expect(estimate.body).toMatchObject({ samples: topics.length * 2 * 2, model: "llama@1" });

    // The comparison runs first (one job at a time); the pinned job waits behind it.
    const created = await post(`${appliance.url}/v1/jobs`, {
      ...base,
      models: ["llama@1", "llama@2"],
      samples_per_row: 2,
      concurrency: 1,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    comparison = created.body.id as string;
    expect(created.body).toMatchObject({
      model: "llama@1",
      model_version: null,
      models: [
        { name: "llama@1", model_version: 1, model_sha256: random },
        { name: "llama@2", model_version: 2, model_sha256: stories },
      ],
      total: topics.length * 2 * 2,
      samples_per_row: 2,
    });
    const queued = await post(`${appliance.url}/v1/jobs`, {
      ...base,
      model: "llama",
      rows: base.rows.slice(0, 3),
    });
    pinned = queued.body.id as string;
    expect(queued.body).toMatchObject({
      model: "llama",
      model_version: 2,
      model_sha256: stories,
      models: null,
      total: 3,
    });

    appliance.proc.kill("SIGKILL");
    await appliance.stop();
    // Nothing of the pinned job was generated before the kill: all of it comes after the import.
    expect(queryDataDir(dataDir, "select 1 from samples where job_id = ?", pinned)).toEqual([]);
    // A new current version while the daemon is down: the bare name now means llama@3.
    expect(
      (await runCli(["models", "import", TINY_RANDOM_MODEL, "--name", "llama", ...args])).code,
    ).toBe(0);
    appliance = await startAppliance({ dataDir });

    await done(comparison);
    const job = await done(pinned);
    expect(job).toMatchObject({ model: "llama", model_version: 2, model_sha256: stories });
    const samples = await samplesOf(pinned);
    expect(samples.map((s) => [s.status, s.model, s.model_version, s.model_sha256])).toEqual(
      Array(3).fill(["ok", "llama", 2, stories]),
    );
  }, 120_000);

  it("records each comparison sample's model, and pairs them on identical inputs", async () => {
    const samples = await samplesOf(comparison);
    expect(samples).toHaveLength(topics.length * 4);
    for (const s of samples) {
      expect([s.status, s.model, s.model_version, s.model_sha256]).toEqual(
        s.sample % 2 === 0 ? ["ok", "llama", 1, random] : ["ok", "llama", 2, stories],
      );
    }
    const messages = queryDataDir<{ r: number; s: number; m: string }>(
      dataDir,
      "select row_index r, sample_index s, messages m from samples where job_id = ? order by r, s",
      comparison,
    );
    for (let i = 0; i < samples.length; i += 2) {
      const [first, second] = [samples[i] as Sample, samples[i + 1] as Sample];
      expect([second.row, second.sample]).toEqual([first.row, first.sample + 1]);
      expect(second.variables).toEqual(first.variables);
      expect(messages[i + 1]?.m).toBe(messages[i]?.m);
    }
    // Two samples of one input on one model are two samples, not one repeated.
    expect(samples[0]?.variables).toEqual({ topic: topics[0] });
    // The two files answer differently to the same prompt and seed.
    expect(samples.some((s, i) => i % 2 === 0 && s.output !== samples[i + 1]?.output)).toBe(true);

    // The exports carry the provenance too.
    const lines = (
      await (await fetch(`${appliance.url}/v1/datasets/${comparison}/export?include=all`)).text()
    )
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Json);
    expect(lines.map((l) => [l.sample, l.model_version, l.model_sha256])).toEqual(
      samples.map((s) => [s.sample, s.model_version, s.model_sha256]),
    );
  });

  type Validation = Json & {
    run: string;
    results: (Json & { row: number; sample: number; perplexity: { tokens: number } })[];
    aggregate: Record<string, Json>;
    by_model?: Record<string, { samples: number; aggregate: Record<string, Json> }>;
  };
  let report: Validation;

  it("validates a comparison's dataset model by model, each on its own samples", async () => {
    const validate = async (json: Json) => {
      const res = await post(`${appliance.url}/v1/validate`, json);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as Validation;
    };
    const metrics = ["readability", "distinct", "perplexity"];
    const options = { perplexity: { model: "llama@2" } };
    report = await validate({ dataset: comparison, metrics, options });
    expect(report.count).toBe(topics.length * 4);
    const byModel = report.by_model ?? {};
    expect(Object.keys(byModel)).toEqual(["llama@1", "llama@2"]);
    const samples = await samplesOf(comparison);
    for (const [name, parity] of [
      ["llama@1", 0],
      ["llama@2", 1],
    ] as const) {
      const own = byModel[name];
      expect(own?.samples).toBe(topics.length * 2);
      expect(Object.keys(own?.aggregate ?? {}).sort()).toEqual([...metrics].sort());
      // Model metrics: this model's samples' per-text figures, not asked again.
      const tokens = report.results
        .filter((r) => r.sample % 2 === parity)
        .reduce((sum, r) => sum + r.perplexity.tokens, 0);
      expect(own?.aggregate.perplexity?.tokens).toBe(tokens);
      // The other metrics: what these outputs alone score.
      const alone = await validate({
        hypotheses: samples.filter((s) => s.sample % 2 === parity).map((s) => s.output ?? ""),
        metrics: ["readability", "distinct"],
      });
      expect({ ...own?.aggregate, perplexity: undefined }).toEqual({
        ...alone.aggregate,
        perplexity: undefined,
      });
    }
    expect(byModel["llama@1"]?.aggregate.distinct).not.toEqual(
      byModel["llama@2"]?.aggregate.distinct,
    );
    // Stored with the run.
    const run = (await raw(`${appliance.url}/v1/datasets/${comparison}/validations/${report.run}`))
      .body as Json;
    expect(run.by_model).toEqual(byModel);
    // A job on one model has no by_model.
    const single = await validate({ dataset: pinned, metrics: ["readability"] });
    expect(single.by_model).toBeUndefined();
    expect(
      (await raw(`${appliance.url}/v1/datasets/${pinned}/validations/${single.run}`)).body.by_model,
    ).toBeNull();
  });

  requirement("browser").it("shows the models side by side on the dataset page", async () => {
    browser = await openBrowser("panel-compare");
    await logInToPanel(browser, appliance.url, "admin");
    const { page } = browser;
    await page.goto(`${appliance.url}/panel/datasets/${comparison}`);
    const table = page.locator("#validation-by-model");
    await expect(table.locator("thead th").allTextContents()).resolves.toEqual([
      "Figure",
      "llama@1",
      "llama@2",
    ]);
    for (const [name, own] of Object.entries(report.by_model ?? {})) {
      const cell = (figure: string) =>
        table
          .locator(`td[data-model="${name}"][data-figure="${figure}"]`)
          .getAttribute("data-value");
      expect(Number(await cell("samples"))).toBe(own.samples);
      expect(Number(await cell("perplexity.tokens"))).toBe(own.aggregate.perplexity?.tokens);
      expect(Number(await cell("distinct.distinct_1"))).toBe(
        (own.aggregate.distinct as Record<string, number>).distinct_1,
      );
    }
    await checkPanelPage(browser, "dataset-compare");
  });
});
