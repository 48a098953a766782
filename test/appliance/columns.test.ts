import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  queryDataDir,
  runTextnlp,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
  waitFor,
} from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";

type Json = Record<string, unknown>;
type Column = { value: string; messages: { role: string; content: string }[] };
const post = (url: string, json: unknown) => raw(url, { method: "POST", json });

const template = {
  name: "chain",
  prompt: "{{ columns.title }}. {{ columns.opening }} The end of {{ topic }}.",
  params: { max_tokens: 12 },
  // Declared out of order: `opening` reads `title`, so `title` is generated first.
  columns: [
    { name: "opening", prompt: "{{ columns.title }} and then", params: { max_tokens: 10 } },
    { name: "title", prompt: "Once upon a time there was {{ topic }}.", params: { max_tokens: 6 } },
  ],
};

const query = queryDataDir;

describe("generated columns on the appliance", () => {
  const dataDir = tempDataDir();
  let appliance: ApplianceProcess;
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("refuses cycles and unknown columns at creation, naming them", async () => {
    appliance = await startAppliance({ dataDir, args: ["--model", STORIES_MODEL] });
    const cycle = await post(`${appliance.url}/v1/templates`, {
      name: "loop",
      prompt: "{{ columns.a }}",
      columns: [
        { name: "a", prompt: "{{ columns.b }}" },
        { name: "b", prompt: "{{ columns.a }} {{ x }}" },
      ],
    });
    expectEnvelope(cycle, 400, { code: "column_cycle", param: "columns.0.prompt" });
    expect(cycle.body.error?.message).toBe("columns form a cycle: a → b → a");
    const unknown = await post(`${appliance.url}/v1/templates`, {
      name: "ghost",
      prompt: "{{ columns.a }} {{ columns.summary }}",
      columns: [{ name: "a", prompt: "x" }],
    });
    expectEnvelope(unknown, 400, { code: "unknown_column", param: "prompt" });
    expect(unknown.body.error?.message).toBe("prompt reads unknown column 'summary'");
    const doc = (await (await fetch(`${appliance.url}/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(doc.components.schemas.TemplateCreate?.properties.columns).toMatchObject({
      type: "array",
    });
    // A template without columns is unchanged (and cannot read any).
    const plain = await post(`${appliance.url}/v1/templates`, { name: "plain", prompt: "{{ x }}" });
    expect(plain.body).toMatchObject({ version: 1, variables: ["x"], columns: null });
  });

  it("generates columns in dependency order, each prompt fed the outputs before it, through kill -9", async () => {
    const created = await post(`${appliance.url}/v1/templates`, template);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ variables: ["topic"], columns: template.columns });

    const preview = await post(`${appliance.url}/v1/templates/chain/preview`, {
      rows: [{ topic: "a frog" }],
    });
    expect((preview.body.data as Json[])[0]).toMatchObject({
      columns: {
        title: [{ role: "user", content: "Once upon a time there was a frog." }],
        opening: [{ role: "user", content: "[column: title] and then" }],
      },
      messages: [
        { role: "user", content: "[column: title]. [column: opening] The end of a frog." },
      ],
    });

    const rows = ["a frog", "a boat", "the sun", "a shoe", "a king", "a café 🐸, «quoted»"].map(
      (topic) => ({ topic }),
    );
    const job = await post(`${appliance.url}/v1/jobs`, {
      template: "chain",
      model: "stories260K",
      rows,
      samples_per_row: 2,
      concurrency: 2,
      seed: 5,
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const id = job.body.id as string;

    // Killed while some sample has a column saved but is not committed: between its columns.
    type Saved = { row_index: number; sample_index: number; name: string; value: string };
    const savedAtKill = await waitFor(() => {
      const saved = query<Saved>(
        dataDir,
        `select c.row_index, c.sample_index, c.name, c.value from sample_columns c
         where c.job_id = ? and not exists (select 1 from samples s where s.job_id = c.job_id
           and s.row_index = c.row_index and s.sample_index = c.sample_index)`,
        id,
      );
      return saved.length > 0 ? saved : undefined;
    });
    appliance.proc.kill("SIGKILL");
    await appliance.stop();
    appliance = await startAppliance({ dataDir, args: ["--model", STORIES_MODEL] });
    await waitFor(async () => {
      const body = (await raw(`${appliance.url}/v1/jobs/${id}`)).body as Json;
      return body.status === "done" ? body : undefined;
    });

    const keys = query<{ r: number; s: number; n: number }>(
      dataDir,
      "select row_index as r, sample_index as s, count(*) as n from samples where job_id = ? group by r, s",
      id,
    );
    expect(keys).toHaveLength(12);
    expect(keys.every((k) => k.n === 1)).toBe(true);
    expect(query(dataDir, "select * from sample_columns where job_id = ?", id)).toEqual([]);

    const samples = (await raw(`${appliance.url}/v1/jobs/${id}/samples?limit=100`)).body
      .data as (Json & { columns: Record<string, Column> })[];
    expect(samples).toHaveLength(12);
    for (const s of samples) expect(s.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    const chat = (
      await (await fetch(`${appliance.url}/v1/datasets/${id}/export?format=chat`)).text()
    )
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    for (const [i, sample] of samples.entries()) {
      expect(sample.status).toBe("ok");
      const { title, opening } = sample.columns;
      const topic = rows[sample.row as number]?.topic;
      expect(Object.keys(sample.columns)).toEqual(["title", "opening"]);
      expect(title?.messages).toEqual([
        { role: "user", content: `Once upon a time there was ${topic}.` },
      ]);
      // The later column's prompt received the earlier column's output, and the template's
      // own prompt received both.
      expect(opening?.messages).toEqual([{ role: "user", content: `${title?.value} and then` }]);
      expect(chat[i]?.messages[0]).toEqual({
        role: "user",
        content: `${title?.value}. ${opening?.value} The end of ${topic}.`,
      });
      expect(chat[i]?.messages[1]).toEqual({ role: "assistant", content: sample.output });
    }
    // A column saved before the kill was used as it was, not generated again.
    for (const saved of savedAtKill) {
      const sample = samples.find(
        (s) => s.row === saved.row_index && s.sample === saved.sample_index,
      );
      expect(sample?.columns[saved.name]?.value).toBe(saved.value);
    }

    const jsonl = (await (await fetch(`${appliance.url}/v1/datasets/${id}/export`)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Json);
    expect(jsonl[0]?.columns).toEqual({
      title: samples[0]?.columns.title?.value,
      opening: samples[0]?.columns.opening?.value,
    });
    const csv = await (await fetch(`${appliance.url}/v1/datasets/${id}/export?format=csv`)).text();
    expect(csv.split("\n")[0]).toBe(
      "row,sample,status,kept,topic,columns.title,columns.opening,output,reason,model,model_version,model_sha256",
    );

    // Parquet through the CLI (SDK → route → hyparquet-writer), read back by arrow-rs.
    const file = join(dataDir, "chain.parquet");
    const exported = await runTextnlp(
      ["datasets", "export", id, "--format", "parquet", "-o", file, "--endpoint", appliance.url],
      { env: { XDG_CONFIG_HOME: tempDataDir() } },
    );
    expect(exported.code, exported.stderr).toBe(0);
    const table = tableFromIPC(readParquet(readFileSync(file)).intoIPCStream());
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      "row",
      "sample",
      "status",
      "kept",
      "topic",
      "columns.title",
      "columns.opening",
      "output",
      "reason",
      "model",
      "model_version",
      "model_sha256",
    ]);
    expect(table.toArray().map((r) => ({ ...r.toJSON() }))).toEqual(
      samples.map((s) => ({
        row: s.row,
        sample: s.sample,
        status: "ok",
        kept: null,
        topic: rows[s.row as number]?.topic,
        "columns.title": s.columns.title?.value,
        "columns.opening": s.columns.opening?.value,
        output: s.output,
        reason: null,
        model: "stories260K",
        model_version: 1,
        model_sha256: s.model_sha256,
      })),
    );
  });
});
