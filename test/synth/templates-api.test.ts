/**
 * Templates on both halves, from the one shared module (shared/synth/routes/templates.ts): the
 * same versions, variables, previews and refusals on the edge (workerd, D1) as on the appliance
 * (Node, SQLite), over real HTTP through the typed SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TextNlpClient } from "../../shared/sdk/index.ts";
import { halves, refusal, seedKey, type Target } from "../helpers/halves.ts";

describe.each(halves)("templates on the %s", (_name, start) => {
  let target: Target;
  let client: TextNlpClient;

  beforeAll(async () => {
    target = await start();
    client = (await seedKey(target, target.tenant, ["templates"])).client;
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
});
