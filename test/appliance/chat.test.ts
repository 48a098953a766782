import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplianceProcess, STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";

describe("chat completions on a real appliance (stories260K)", () => {
  let appliance: ApplianceProcess;
  let client: OpenAI;

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    client = new OpenAI({
      baseURL: `${appliance.url}/v1`,
      apiKey: "unused-on-open-loopback",
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("lists the served model, and retrieves it by name", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["stories260K"]);
    expect(await client.models.retrieve("stories260K")).toMatchObject({
      id: "stories260K",
      object: "model",
      owned_by: "textnlp-appliance",
      capabilities: ["chat", "embeddings", "json"],
    });
    await expect(client.models.retrieve("no-such-model")).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });

  it("answers a plain chat request with text, usage and finish_reason", async () => {
    const res = await client.chat.completions.create({
      model: "stories260K",
      messages: [{ role: "user", content: "Once upon a time" }],
      max_tokens: 24,
      temperature: 0.8,
      seed: 1,
    });
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe("stories260K");
    expect(res.choices).toHaveLength(1);
    const choice = res.choices[0];
    expect(choice?.message.role).toBe("assistant");
    expect(choice?.message.content?.length).toBeGreaterThan(0);
    expect(choice?.finish_reason).toBe("length");
    expect(res.usage?.completion_tokens).toBe(24);
    expect(res.usage?.prompt_tokens).toBeGreaterThan(3);
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + 24);
  });

  it("streams chunks that add up to the same text as the same seeded plain request", async () => {
    const body = {
      model: "stories260K",
      messages: [{ role: "user" as const, content: "Tell me about a dog" }],
      max_tokens: 20,
      temperature: 1,
      seed: 7,
    };
    const plain = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? "";
        finish = choice.finish_reason ?? finish;
      }
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(finish).toBe("length");
    expect(usage).toEqual(plain.usage);
  });

  it("gives the same output for the same seed and different output for different seeds", async () => {
    const ask = (seed: number) =>
      client.chat.completions
        .create({
          model: "stories260K",
          messages: [{ role: "user", content: "A cat" }],
          max_tokens: 30,
          temperature: 1,
          seed,
        })
        .then((r) => r.choices[0]?.message.content);
    const a = await ask(11);
    const b = await ask(11);
    const outputs = new Set([a, await ask(12), await ask(13)]);
    expect(b).toBe(a);
    expect(outputs.size).toBe(3);
  });

  it("refuses an unknown model with 404 and a bad parameter with 400 naming it", async () => {
    await expect(
      client.chat.completions.create({
        model: "no-such-model",
        messages: [{ role: "user", content: "hi" }],
      }),
    ).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });
    await expect(
      client.chat.completions.create({
        model: "stories260K",
        messages: [{ role: "user", content: "hi" }],
        temperature: 5,
      }),
    ).rejects.toMatchObject({ status: 400, param: "temperature" });
  });

  it("publishes the OpenAPI document and docs whose assets are all served locally", async () => {
    const doc = (await (await fetch(`${appliance.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/health",
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/models",
        "/v1/jobs",
        "/v1/templates",
      ]),
    );
    const html = await (await fetch(`${appliance.url}/docs`)).text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref.startsWith("/"), `${ref} must be served by the appliance itself`).toBe(true);
      const asset = await fetch(`${appliance.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  });
});
