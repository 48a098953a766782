import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplianceProcess, STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";

describe("seed-row uploads", () => {
  let appliance: ApplianceProcess;
  const upload = (body: string, query: string, type = "application/x-ndjson") =>
    raw(`${appliance.url}/v1/seed-rows?${query}`, {
      method: "POST",
      body,
      headers: { "content-type": type },
    });
  const seedSets = () => {
    const db = new Database(join(appliance.dataDir, "textnlp.sqlite"), { readonly: true });
    try {
      return db.prepare("select id, row_count as rows from seed_sets").all() as {
        id: string;
        rows: number;
      }[];
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    appliance = await startAppliance({
      args: ["--model", STORIES_MODEL],
      // A small general body limit proves uploads have their own.
      env: { TEXTNLP_BODY_LIMIT: "4096", TEXTNLP_SEED_UPLOAD_LIMIT: "300000" },
    });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("streams a large JSONL file and a CSV file into seed sets", async () => {
    const jsonl = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ name: `n${i}`, n: i }),
    ).join("\n");
    expect(jsonl.length).toBeGreaterThan(4096);
    const a = await upload(jsonl, "name=big");
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({
      object: "seed_set",
      name: "big",
      format: "jsonl",
      rows: 5000,
      columns: ["n", "name"],
    });
    const b = await upload('name,city\nAda,"London, UK"\nLin,Oslo\n', "name=people", "text/csv");
    expect(b.body).toMatchObject({ format: "csv", rows: 2, columns: ["city", "name"] });
  });

  it("refuses a bad line, an empty file and an oversized upload, leaving nothing behind", async () => {
    const before = seedSets().length;
    expectEnvelope(await upload('{"a":1}\n{"a":2}\n{oops\n', "name=bad"), 400, {
      code: "invalid_seed_rows",
    });
    expect((await upload('{"a":1}\n[1,2]\n', "name=bad")).body.error?.message).toMatch(
      /line 2 is not a JSON object/,
    );
    expectEnvelope(await upload("\n\n", "name=empty"), 400, { code: "invalid_seed_rows" });
    const huge = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ i, pad: "x".repeat(20) }),
    ).join("\n");
    expectEnvelope(await upload(huge, "name=huge"), 413, { code: "body_too_large" });
    expect(seedSets()).toHaveLength(before);
  });

  it("runs a job over an uploaded seed set", async () => {
    const set = await upload(
      '{"thing":"a fox"}\n{"thing":"a cup"}\n{"thing":"a star"}\n',
      "name=things",
    );
    await raw(`${appliance.url}/v1/templates`, {
      method: "POST",
      json: { name: "t", prompt: "About {{ thing }}.", params: { max_tokens: 4 } },
    });
    const job = await raw(`${appliance.url}/v1/jobs`, {
      method: "POST",
      json: { template: "t", model: "stories260K", seed_set: set.body.id },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    expect(job.body.rows).toBe(3);
    for (
      let i = 0;
      i < 600 && (await raw(`${appliance.url}/v1/jobs/${job.body.id}`)).body.status !== "done";
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const samples = await raw(`${appliance.url}/v1/jobs/${job.body.id}/samples`);
    expect(
      (samples.body.data as { variables: { thing: string } }[]).map((s) => s.variables.thing),
    ).toEqual(["a fox", "a cup", "a star"]);
    expectEnvelope(
      await raw(`${appliance.url}/v1/jobs`, {
        method: "POST",
        json: { template: "t", model: "stories260K", seed_set: "seed_nope" },
      }),
      404,
      { code: "seed_set_not_found" },
    );
    expectEnvelope(
      await raw(`${appliance.url}/v1/jobs`, {
        method: "POST",
        json: { template: "t", model: "stories260K", seed_set: set.body.id, row_count: 2 },
      }),
      400,
    );
  });
});
