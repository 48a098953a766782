/**
 * The human review queue on a real appliance (real SQLite, real jobs on the tiny model), driven
 * through the typed SDK: assignment to appliance users, verdicts, agreement, JSONL round trip;
 * and validation runs of a dataset, recorded per sample and per dataset.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReviewTask } from "../../shared/api/schemas/review.ts";
import { createClient, type TextNlpClient } from "../../shared/sdk/index.ts";
import { cohenKappa, fleissKappa, krippendorffAlpha } from "../../shared/validate/agreement.ts";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";

const REVIEWERS = ["ann", "ben", "cat"];
const RUBRIC = [{ name: "fluency", min: 1, max: 5 }];

/** Creates a finished dataset of `rows` × `samples` and returns its id. */
async function dataset(client: TextNlpClient, rows: number, samples: number): Promise<string> {
  const job = await client.jobs.create({
    template: "review-tale",
    model: "stories260K",
    rows: Array.from({ length: rows }, (_, i) => ({ topic: `thing ${i}` })),
    samples_per_row: samples,
    seed: 7,
  });
  for (let i = 0; i < 1200; i++) {
    const state = await client.jobs.get(job.id);
    if (state.status === "done") return job.id;
    if (state.status === "failed" || state.status === "cancelled")
      throw new Error(`job ${job.id} ${state.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${job.id} did not finish`);
}

async function rejected(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err as { status: number; code: string | null; param: string | null; message: string };
  }
  throw new Error("expected the call to fail");
}

describe("review queue and dataset validation on a real appliance", () => {
  let appliance: ApplianceProcess;
  let client: TextNlpClient;
  let noReviewClient: TextNlpClient;
  let threeWay: string;
  let twoWay: string;

  beforeAll(async () => {
    const dataDir = tempDataDir();
    const args = ["--data-dir", dataDir];
    for (const name of REVIEWERS) {
      const made = await runCli(["users", "create", name, "--password-stdin", ...args], {
        input: "correct horse battery\n",
      });
      expect(made.code, made.stderr).toBe(0);
    }
    const key = async (scopes: string) =>
      JSON.parse((await runCli(["keys", "create", "--scopes", scopes, "--json", ...args])).stdout)
        .secret as string;
    const all = await key("*");
    const datasetsOnly = await key("datasets");
    appliance = await startAppliance({ dataDir, args: ["--model", STORIES_MODEL] });
    client = createClient({ baseUrl: appliance.url, apiKey: all });
    noReviewClient = createClient({ baseUrl: appliance.url, apiKey: datasetsOnly });
    await client.templates.create({
      name: "review-tale",
      prompt: "A story about {{ topic }}.",
      params: { max_tokens: 8 },
    });
    threeWay = await dataset(client, 4, 2);
    twoWay = await dataset(client, 6, 1);
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("assigns each sample to several reviewers, evenly, once", async () => {
    const first = await client.review.assign(threeWay, {
      reviewers: REVIEWERS,
      reviewers_per_sample: 2,
      rubric: RUBRIC,
    });
    expect(first).toMatchObject({ created: 16, existing: 0, rubric: RUBRIC });
    const again = await client.review.assign(threeWay, {
      reviewers: REVIEWERS,
      reviewers_per_sample: 2,
    });
    expect(again).toMatchObject({ created: 0, existing: 16 });

    const { data, total } = await client.review.tasks(threeWay, { limit: 1000 });
    expect(total).toBe(16);
    const bySample = new Map<string, string[]>();
    for (const t of data)
      bySample.set(`${t.row}:${t.sample}`, [
        ...(bySample.get(`${t.row}:${t.sample}`) ?? []),
        t.reviewer,
      ]);
    expect(bySample.size).toBe(8);
    for (const reviewers of bySample.values()) expect(new Set(reviewers).size).toBe(2);
    const loads = REVIEWERS.map((r) => data.filter((t) => t.reviewer === r).length);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    const ann = await client.review.tasks(threeWay, { reviewer: "ann", status: "pending" });
    expect(ann.total).toBe(loads[0]);
    expect(ann.data.every((t) => t.status === "pending" && t.output !== null)).toBe(true);
  });

  it("records verdicts and measures agreement with Fleiss' kappa for three reviewers", async () => {
    const { data } = await client.review.tasks(threeWay, { limit: 1000 });
    // A planted pattern: ann accepts everything, ben rejects odd rows, cat edits row 3.
    const verdictOf = (t: ReviewTask) => {
      const decision =
        t.reviewer === "ben" && t.row % 2 === 1
          ? "reject"
          : t.reviewer === "cat" && t.row === 3
            ? "edit"
            : "accept";
      const fluency = Math.min(5, 1 + t.row + (t.reviewer === "ann" ? 1 : 0));
      return { decision, fluency } as const;
    };
    for (const t of data) {
      const { decision, fluency } = verdictOf(t);
      const saved = await client.review.submit(threeWay, t.id, {
        reviewer: t.reviewer,
        decision,
        ratings: { fluency },
        ...(decision === "edit" ? { edited_output: `${t.output} (fixed)` } : {}),
      });
      expect(saved).toMatchObject({ status: "done", decision, ratings: { fluency } });
    }
    const summary = await client.review.summary(threeWay);
    expect(summary.tasks).toEqual({ pending: 0, done: 16 });
    expect(summary.reviewers).toBe(3);
    expect(summary.items).toBe(8);

    // The same statistics computed here from the tasks, by the published-checked functions.
    const samples = [...new Set(data.map((t) => `${t.row}:${t.sample}`))];
    const categories = ["accept", "edit", "reject"];
    const decisionCounts = samples.map((key) => {
      const labels = data
        .filter((t) => `${t.row}:${t.sample}` === key)
        .map((t) => verdictOf(t).decision);
      return categories.map((c) => labels.filter((l) => l === c).length);
    });
    expect(summary.agreement.decision).toMatchObject({ method: "fleiss", items: 8, raters: 2 });
    expect(summary.agreement.decision.kappa).toBeCloseTo(fleissKappa(decisionCounts), 12);
    const reliability = REVIEWERS.map((r) =>
      samples.map((key) => {
        const task = data.find((t) => t.reviewer === r && `${t.row}:${t.sample}` === key);
        return task ? verdictOf(task).fluency : null;
      }),
    );
    expect(summary.agreement.ratings.fluency.alpha).toBeCloseTo(
      krippendorffAlpha(reliability, "ordinal"),
      12,
    );
    const decisions = data.map((t) => verdictOf(t).decision);
    expect(summary.decisions).toEqual({
      accept: decisions.filter((d) => d === "accept").length,
      reject: decisions.filter((d) => d === "reject").length,
      edit: decisions.filter((d) => d === "edit").length,
    });
    expect(summary.ratings.fluency.count).toBe(16);
    const edited = await client.review.tasks(threeWay, { reviewer: "cat", status: "done" });
    expect(
      edited.data
        .filter((t) => t.decision === "edit")
        .every((t) => t.edited_output?.endsWith("(fixed)")),
    ).toBe(true);
  });

  it("uses Cohen's kappa for two reviewers", async () => {
    await client.review.assign(twoWay, { reviewers: ["ann", "ben"], rubric: RUBRIC });
    const { data } = await client.review.tasks(twoWay, { limit: 1000 });
    expect(data).toHaveLength(12);
    const label = (t: ReviewTask) =>
      t.reviewer === "ann" ? (t.row < 3 ? "accept" : "reject") : t.row < 4 ? "accept" : "reject";
    for (const t of data)
      await client.review.submit(twoWay, t.id, { reviewer: t.reviewer, decision: label(t) });
    const summary = await client.review.summary(twoWay);
    const rows = [0, 1, 2, 3, 4, 5];
    const of = (r: string) => rows.map((row) => label({ reviewer: r, row } as ReviewTask));
    expect(summary.agreement.decision).toMatchObject({ method: "cohen", items: 6, raters: 2 });
    expect(summary.agreement.decision.kappa).toBeCloseTo(cohenKappa(of("ann"), of("ben")), 12);
    // Nobody rated fluency here: no agreement to measure on it.
    expect(summary.agreement.ratings.fluency).toMatchObject({ kappa: null, alpha: null });
  });

  it("refuses bad verdicts and assignments with the field at fault", async () => {
    const [task] = (await client.review.tasks(threeWay, { reviewer: "ann" })).data;
    const cases: [() => Promise<unknown>, number, string | null, string | null][] = [
      [
        () => client.review.submit(threeWay, task.id, { reviewer: "ann", decision: "edit" }),
        400,
        "edited_output",
        "edited_output_required",
      ],
      [
        () =>
          client.review.submit(threeWay, task.id, {
            reviewer: "ann",
            decision: "accept",
            ratings: { fluency: 9 },
          }),
        400,
        "ratings.fluency",
        "rating_out_of_range",
      ],
      [
        () =>
          client.review.submit(threeWay, task.id, {
            reviewer: "ann",
            decision: "accept",
            ratings: { wit: 3 },
          }),
        400,
        "ratings.wit",
        "unknown_criterion",
      ],
      [
        () => client.review.submit(threeWay, task.id, { reviewer: "ben", decision: "accept" }),
        403,
        "reviewer",
        "not_assignee",
      ],
      [
        () => client.review.submit(threeWay, "rvt_nope", { reviewer: "ann", decision: "accept" }),
        404,
        "task",
        "review_task_not_found",
      ],
      [
        () => client.review.assign(threeWay, { reviewers: ["ann", "zed"] }),
        400,
        "reviewers.1",
        "reviewer_not_found",
      ],
      [
        () => client.review.assign(threeWay, { reviewers: ["ann"], reviewers_per_sample: 2 }),
        400,
        "reviewers_per_sample",
        null,
      ],
      [
        () =>
          client.review.assign(threeWay, {
            reviewers: ["ann"],
            rubric: [{ name: "wit", min: 1, max: 3 }],
          }),
        409,
        "rubric",
        "rubric_conflict",
      ],
      [
        () =>
          client.review.assign(threeWay, { reviewers: ["ann"], samples: [{ row: 99, sample: 0 }] }),
        400,
        "samples.0",
        "sample_not_found",
      ],
      [() => noReviewClient.review.summary(threeWay), 403, null, "insufficient_scope"],
      [() => client.review.summary("job_nope"), 404, "id", "job_not_found"],
    ];
    // Thunks: each call starts only when awaited, so none rejects unobserved.
    for (const [call, status, param, code] of cases) {
      const err = await rejected(call());
      expect({ status: err.status, param: err.param, code: err.code }, err.message).toEqual({
        status,
        param,
        code,
      });
    }
  });

  it("exports tasks as JSONL and imports them back (round trip, all lines or none)", async () => {
    const exported = await client.review.export(threeWay);
    const lines = exported
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ReviewTask);
    expect(lines).toHaveLength(16);
    expect(lines).toEqual((await client.review.tasks(threeWay, { limit: 1000 })).data);

    // Edited offline: one verdict changed, one withdrawn (back to pending).
    const changed = lines.map((l, i) =>
      i === 0
        ? {
            ...l,
            decision: "reject" as const,
            edited_output: null,
            comment: "off topic",
            ratings: { fluency: 1 },
          }
        : i === 1
          ? { ...l, decision: null, edited_output: null, ratings: {} }
          : l,
    );
    const imported = await client.review.import(
      threeWay,
      changed.map((l) => JSON.stringify(l)).join("\n"),
    );
    expect(imported).toMatchObject({ lines: 16, created: 0, updated: 16 });
    const after = (await client.review.export(threeWay))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ReviewTask);
    const strip = (t: ReviewTask) => ({ ...t, reviewed_at: null });
    expect(after.map(strip)).toEqual(
      changed.map((l, i) =>
        strip({ ...l, status: i === 1 ? "pending" : "done", reviewed_at: null } as ReviewTask),
      ),
    );
    expect(after[2].reviewed_at).toBe(lines[2].reviewed_at);
    expect((await client.review.summary(threeWay)).tasks).toEqual({ pending: 1, done: 15 });

    // A bad line names itself and nothing is imported.
    const bad = [
      JSON.stringify({ ...lines[0], decision: "accept" }),
      JSON.stringify({ ...lines[2], ratings: { fluency: 0 } }),
    ].join("\n");
    const err = await rejected(client.review.import(threeWay, bad));
    expect({ status: err.status, param: err.param, code: err.code }).toEqual({
      status: 400,
      param: "line 2.ratings.fluency",
      code: "rating_out_of_range",
    });
    expect((await client.review.tasks(threeWay, { limit: 1000 })).data[0].decision).toBe("reject");

    // Tasks written elsewhere (for a new reviewer pairing) are created.
    const fresh = await client.review.import(
      twoWay,
      JSON.stringify({ row: 0, sample: 0, reviewer: "cat", decision: "accept" }),
    );
    expect(fresh).toMatchObject({ created: 1, updated: 0 });
    expect((await client.review.tasks(twoWay, { reviewer: "cat" })).data[0]).toMatchObject({
      status: "done",
      decision: "accept",
      row: 0,
    });
  });

  it("validates a dataset's samples and records the figures per sample and per dataset", async () => {
    const metrics = ["readability", "pii", "distinct", "perplexity"] as const;
    const options = { perplexity: { model: "stories260K" } };
    const res = await client.validation.run({ dataset: threeWay, metrics: [...metrics], options });
    expect(res.run).toMatch(/^val_/);
    expect(res.count).toBe(8);
    // The same texts given as hypotheses score the same.
    const samples = (await client.datasets.samples(threeWay, { limit: 100 })).data;
    const direct = await client.validation.run({
      hypotheses: samples.map((s) => s.output ?? ""),
      metrics: [...metrics],
      options,
    });
    const { perplexity: ppl, ...rest } = res.aggregate;
    const { perplexity: directPpl, ...directRest } = direct.aggregate;
    expect(rest).toEqual(directRest);
    expect(ppl.perplexity as number).toBeCloseTo(directPpl.perplexity as number, 9);
    res.results.forEach((r, i) => {
      expect([r.row, r.sample]).toEqual([samples[i].row, samples[i].sample]);
      expect(r.readability).toEqual(direct.results[i].readability);
      expect(r.pii).toEqual(direct.results[i].pii);
    });

    const runs = await client.validation.runs(threeWay);
    expect(runs.data[0]).toMatchObject({
      id: res.run,
      dataset: threeWay,
      samples: 8,
      metrics: [...metrics],
      aggregate: res.aggregate,
    });
    const stored = await client.validation.get(threeWay, res.run as string);
    expect(stored.results).toEqual(res.results.map(({ index: _index, ...r }) => r));

    const errors: [() => Promise<unknown>, number, string | null, string | null][] = [
      [
        () => client.validation.run({ dataset: threeWay, metrics: ["bleu"] }),
        400,
        "metrics",
        "references_unavailable",
      ],
      [
        () => client.validation.run({ dataset: threeWay, hypotheses: ["a"], metrics: ["pii"] }),
        400,
        "hypotheses",
        null,
      ],
      [
        () => client.validation.run({ dataset: "job_nope", metrics: ["pii"] }),
        404,
        "id",
        "job_not_found",
      ],
      [() => client.validation.get(threeWay, "val_nope"), 404, "run", "validation_run_not_found"],
    ];
    for (const [call, status, param, code] of errors) {
      const err = await rejected(call());
      expect({ status: err.status, param: err.param }, err.message).toEqual({ status, param });
      if (code) expect(err.code).toBe(code);
    }
  });
});
