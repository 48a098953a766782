import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
