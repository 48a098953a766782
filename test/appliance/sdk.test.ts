import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentOperations, uncoveredOperations } from "../../shared/sdk/coverage.ts";
import { createClient, TextNlpError } from "../../shared/sdk/index.ts";
import { type ApplianceProcess, STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";

describe("the typed SDK against a real appliance (Node)", () => {
  let appliance: ApplianceProcess;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    client = createClient({ baseUrl: appliance.url });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("chats plain and streamed, with the same seeded text", async () => {
    const body = {
      model: "stories260K",
      messages: [{ role: "user" as const, content: "A dog" }],
      max_tokens: 12,
      seed: 4,
    };
    const plain = await client.chat.create(body);
    let text = "";
    for await (const chunk of client.chat.stream(body))
      text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(plain.choices[0]?.message.content);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(["stories260K"]);
  });

  it("runs a job end to end: template, preview, watch, samples, export", async () => {
    const template = await client.templates.create({
      name: "sdk",
      prompt: "A story about {{ thing }}.",
      params: { max_tokens: 16 },
    });
    expect(template.version).toBe(1);
    const preview = await client.templates.preview("sdk", { rows: [{ thing: "a hat" }] });
    expect(preview.data[0]?.messages).toEqual([{ role: "user", content: "A story about a hat." }]);
    const job = await client.jobs.create({
      template: "sdk",
      model: "stories260K",
      rows: [{ thing: "a hat" }, { thing: "a cup" }],
      samples_per_row: 3,
    });
    const seen: number[] = [];
    let last = job;
    for await (const snapshot of client.jobs.watch(job.id)) {
      seen.push(snapshot.progress.done);
      last = snapshot;
    }
    expect(last.status).toBe("done");
    expect(seen.at(-1)).toBe(6);
    const samples = await client.jobs.samples(job.id, { limit: 4 });
    expect(samples.data).toHaveLength(4);
    expect(samples.has_more).toBe(true);
    const stream = await client.datasets.export(job.id, { format: "jsonl" });
    const text = await new Response(stream).text();
    expect(text.trim().split("\n")).toHaveLength(6);
  });

  it("turns error envelopes into TextNlpError with status, code and param", async () => {
    const err = await client.jobs.get("job_missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TextNlpError);
    expect(err).toMatchObject({ status: 404, code: "job_not_found" });
    const bad = await client.chat
      .create({ model: "stories260K", messages: [], max_tokens: 1 })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, param: "messages" });
  });

  it("pauses a job (nothing more is generated) and resumes it to the end", async () => {
    await client.templates.create({
      name: "pausable",
      prompt: "Count to {{ n }}.",
      params: { max_tokens: 24 },
    });
    const job = await client.jobs.create({
      template: "pausable",
      model: "stories260K",
      rows: Array.from({ length: 40 }, (_, n) => ({ n })),
      concurrency: 1,
    });
    for (let i = 0; i < 600 && (await client.jobs.get(job.id)).progress.done < 3; i++)
      await new Promise((r) => setTimeout(r, 20));
    const paused = await client.jobs.pause(job.id);
    expect(paused.status).toBe("paused");
    // The event stream ends on a paused job.
    const events: string[] = [];
    for await (const snapshot of client.jobs.watch(job.id)) events.push(snapshot.status);
    expect(events.at(-1)).toBe("paused");
    await new Promise((r) => setTimeout(r, 500));
    const still = await client.jobs.get(job.id);
    expect(still.progress.done).toBe(paused.progress.done);
    expect(still.progress.done).toBeLessThan(40);
    expect((await client.jobs.resume(job.id)).status).toMatch(/queued|running/);
    let last = still;
    for await (const snapshot of client.jobs.watch(job.id)) last = snapshot;
    expect(last).toMatchObject({ status: "done", progress: { done: 40, ok: 40 } });
  });

  it("has a method for every operation of the appliance's /openapi.json", async () => {
    // The document the daemon started above serves (routes the appliance defines for itself
    // included); building the app in-process would need the same llama.cpp runtime.
    const document = (await (await fetch(`${appliance.url}/openapi.json`)).json()) as Parameters<
      typeof uncoveredOperations
    >[0];
    expect(documentOperations(document)).toContain("POST /v1/jobs/estimate");
    expect(uncoveredOperations(document)).toEqual([]);
  });

  it("completes text plain and streamed, and estimates a job without running it", async () => {
    expect((await client.health()).status).toBe("ok");
    const body = { model: "stories260K", prompt: "Once upon a time", max_tokens: 10, seed: 3 };
    const plain = await client.completions.create(body);
    expect(plain.object).toBe("text_completion");
    let text = "";
    for await (const chunk of client.completions.stream(body)) text += chunk.choices[0]?.text ?? "";
    expect(text).toBe(plain.choices[0]?.text);

    await client.templates.create({ name: "estimated", prompt: "A tale of {{ thing }}." });
    const estimate = await client.jobs.estimate({
      template: "estimated",
      model: "stories260K",
      rows: [{ thing: "a hat" }, { thing: "a cup" }],
      samples_per_row: 2,
    });
    expect(estimate).toMatchObject({ object: "job_estimate", model: "stories260K", samples: 4 });
    expect(estimate.prompt_tokens).toBeGreaterThan(0);
    expect((await client.jobs.list()).data.map((j) => j.template.name)).not.toContain("estimated");
  });

  it("manages users, and the audit log records it", async () => {
    const user = await client.admin.users.create({
      username: "reviewer-sdk",
      password: "a long enough password",
      role: "developer",
    });
    expect((await client.admin.users.disable(user.id)).disabled_at).not.toBeNull();
    expect((await client.admin.users.enable(user.id)).disabled_at).toBeNull();
    expect((await client.admin.users.list()).data.map((u) => u.username)).toContain("reviewer-sdk");
    expect((await client.admin.users.delete(user.id)).id).toBe(user.id);
    const audit = await client.admin.audit({ action: "user.*" });
    expect(audit.data.map((e) => e.action)).toEqual(
      expect.arrayContaining(["user.create", "user.delete"]),
    );
  });
});
