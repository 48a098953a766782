/**
 * Templates and seed rows on both halves, each from one shared module (shared/synth/routes): the
 * same versions, variables, previews, uploads and refusals on the edge (workerd, D1) as on the
 * appliance (Node, SQLite), over real HTTP through the typed SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TextNlpClient } from "../../shared/sdk/index.ts";
import { halves, refusal, seedKey, type Target } from "../helpers/halves.ts";

describe.each(halves)("templates and seed rows on the %s", (_name, start) => {
  let target: Target;
  let client: TextNlpClient;

  beforeAll(async () => {
    target = await start();
    client = (await seedKey(target, target.tenant, ["templates", "jobs"])).client;
  });
  afterAll(() => target?.close());

  it("numbers versions per name, lists the latest, derives the variables", async () => {
    const first = await client.templates.create({
      name: "greet",
      system: "You write for {{ audience }}.",
      prompt: "Greet {{ name }} in {{ lang | default: 'English' }}.",
    });
    expect(first).toMatchObject({ object: "template", name: "greet", version: 1 });
    expect(first.variables).toEqual(["audience", "lang", "name"]);
    const second = await client.templates.create({ name: "greet", prompt: "Hi {{ name }}" });
    expect(second.version).toBe(2);
    await client.templates.create({ name: "other", prompt: "x" });
    const latest = await client.templates.list();
    expect(latest.data.map((t) => [t.name, t.version])).toEqual([
      ["greet", 2],
      ["other", 1],
    ]);
    const versions = await client.templates.versions("greet");
    expect(versions.data.map((t) => t.version)).toEqual([2, 1]);
  });

  it("numbers concurrent versions of one name without a gap or a clash", async () => {
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        client.templates.create({ name: "race", prompt: `v${i}` }),
      ),
    );
    expect(made.map((t) => t.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("previews rendered prompts from rows and samplers, version by version", async () => {
    const preview = await client.templates.preview("greet", {
      version: 1,
      rows: [{ name: "Ada", audience: "kids" }],
      samplers: { lang: { type: "list", values: ["French"] } },
    });
    expect(preview.data).toHaveLength(1);
    expect(preview.data[0]?.messages).toEqual([
      { role: "system", content: "You write for kids." },
      { role: "user", content: "Greet Ada in French." },
    ]);
  });

  it("refuses bad templates with a 400 naming the field, before storing anything", async () => {
    const syntax = await refusal(client.templates.create({ name: "bad", prompt: "{{ name " }));
    expect([syntax.status, syntax.param]).toEqual([400, "prompt"]);
    const schema = await refusal(
      client.templates.create({ name: "bad", prompt: "x", output_schema: { type: "strin" } }),
    );
    expect([schema.status, schema.code, schema.param]).toEqual([
      400,
      "invalid_json_schema",
      "output_schema",
    ]);
    const cycle = await refusal(
      client.templates.create({
        name: "bad",
        prompt: "{{ columns.a }}",
        columns: [
          { name: "a", prompt: "{{ columns.b }}" },
          { name: "b", prompt: "{{ columns.a }}" },
        ],
      }),
    );
    expect(cycle.status).toBe(400);
    expect((await refusal(client.templates.versions("bad"))).status).toBe(404);
  });

  it("keeps each tenant's templates to itself and asks for the templates scope", async () => {
    const { client: stranger } = await seedKey(target, "stranger", ["templates"]);
    expect((await stranger.templates.list()).data).toEqual([]);
    expect((await refusal(stranger.templates.versions("greet"))).status).toBe(404);
    const { client: inferenceOnly } = await seedKey(target, target.tenant, ["inference"]);
    const denied = await refusal(inferenceOnly.templates.list());
    expect([denied.status, denied.code]).toEqual([403, "insufficient_scope"]);
  });

  it("uploads JSONL and CSV seed rows, past the D1 statement limit, with their columns", async () => {
    const jsonl = Array.from({ length: 1234 }, (_, i) => JSON.stringify({ n: i, who: `p${i}` }));
    const big = await client.seedRows.upload("people", `${jsonl.join("\n")}\n`);
    expect(big).toMatchObject({ object: "seed_set", name: "people", rows: 1234 });
    expect(big.columns).toEqual(["n", "who"]);
    const csv = await client.seedRows.upload(
      "quoted",
      '\ufeffcity,note\nParis,"a, b"\n\nRome,plain\n',
      "csv",
    );
    expect([csv.rows, csv.columns]).toEqual([2, ["city", "note"]]);
  });

  it("refuses a bad upload with a 400 naming the line, and an empty one", async () => {
    const bad = await refusal(client.seedRows.upload("bad", '{"a":1}\n{"a":\n'));
    expect([bad.status, bad.code]).toEqual([400, "invalid_seed_rows"]);
    expect(bad.message).toContain("line 2");
    const csv = await refusal(client.seedRows.upload("bad", 'a,b\n1,"2\n', "csv"));
    expect([csv.status, csv.code]).toEqual([400, "invalid_seed_rows"]);
    const empty = await refusal(client.seedRows.upload("empty", "\n\n"));
    expect(empty.message).toContain("no rows");
    const { client: templatesOnly } = await seedKey(target, target.tenant, ["templates"]);
    expect((await refusal(templatesOnly.seedRows.upload("x", '{"a":1}'))).status).toBe(403);
  });
});
