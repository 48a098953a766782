/**
 * The OpenAI and Mistral fakes, read by the official SDKs: if a fake's shapes drift from the
 * real wire format, the SDK's own parsing and validation fail here.
 */
import { Mistral } from "@mistralai/mistralai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeKeys } from "./index.ts";
import { startFakeOpenAi } from "./openai.ts";
import type { FakeServer } from "./server.ts";

let openaiFake: FakeServer;
let mistralFake: FakeServer;
beforeAll(async () => {
  [openaiFake, mistralFake] = await Promise.all([
    startFakeOpenAi("openai", fakeKeys.openai),
    startFakeOpenAi("mistral", fakeKeys.mistral),
  ]);
});
afterAll(async () => {
  await Promise.all([openaiFake.close(), mistralFake.close()]);
});

const openai = () =>
  new OpenAI({ baseURL: `${openaiFake.url}/v1`, apiKey: fakeKeys.openai, maxRetries: 0 });
const mistral = () =>
  new Mistral({
    serverURL: mistralFake.url,
    apiKey: fakeKeys.mistral,
    retryConfig: { strategy: "none" },
  });

describe("OpenAI fake, read by the openai SDK", () => {
  it("answers structured outputs (json_schema) with JSON that fits the schema, parsed by the SDK", async () => {
    const schema = {
      type: "object",
      properties: { score: { type: "number" }, why: { type: "string" } },
      required: ["score", "why"],
      additionalProperties: false,
    };
    const res = await openai().chat.completions.parse({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "judge this" }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "verdict", schema, strict: true },
      },
    });
    expect(res.choices[0]?.message.parsed).toEqual({ score: 1, why: "judge this" });
  });

  it("answers chat, streams to finish_reason then [DONE], embeds and lists models", async () => {
    const res = await openai().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi there" }],
    });
    expect(res.choices[0]?.message.content).toBe("Hello from openai! You said: hi there");
    expect(res.usage?.completion_tokens).toBe(7);

    const stream = await openai().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const finishes: (string | null)[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from openai! You said: hi");
    expect(finishes.at(-1)).toBe("stop");
    expect(usage).toMatchObject({ completion_tokens: 6 });

    const emb = await openai().embeddings.create({
      model: "text-embedding-3-small",
      input: ["ab", "cde"],
    });
    expect(emb.data.map((d) => d.embedding)).toEqual([
      [2, 0, 0.25, -0.5],
      [3, 1, 0.25, -0.5],
    ]);
    const models = await openai().models.list();
    expect(models.data.map((m) => m.id)).toContain("gpt-4o-mini");

    const legacy = await openai().completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "once",
    });
    expect(legacy.choices[0]).toMatchObject({
      text: "Hello from openai! You said: once",
      finish_reason: "stop",
    });
    let streamed = "";
    let legacyFinish: string | null = null;
    for await (const chunk of await openai().completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "once",
      stream: true,
    })) {
      streamed += chunk.choices[0]?.text ?? "";
      legacyFinish = chunk.choices[0]?.finish_reason ?? legacyFinish;
    }
    expect(streamed).toBe("Hello from openai! You said: once");
    expect(legacyFinish).toBe("stop");
  });

  it("errors, tool calls, in-band stream errors and cut sockets look as they do for real", async () => {
    const err = await openai()
      .chat.completions.create({ model: "x-err429", messages: [{ role: "user", content: "a" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get("retry-after")).toBe("1");
    const bad = await new OpenAI({
      baseURL: `${openaiFake.url}/v1`,
      apiKey: "wrong",
      maxRetries: 0,
    }).models
      .list()
      .catch((e) => e);
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError);

    const tool = await openai().chat.completions.create({
      model: "x-tool",
      messages: [{ role: "user", content: "weather?" }],
    });
    expect(tool.choices[0]?.finish_reason).toBe("tool_calls");
    expect(tool.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    });

    const inband = await openai().chat.completions.create({
      model: "x-streamerr",
      messages: [{ role: "user", content: "a b c d" }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _ of inband);
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);

    const cut = await openai().chat.completions.create({
      model: "x-cut",
      messages: [{ role: "user", content: "a b c d" }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _ of cut);
      })(),
    ).rejects.toThrow(/terminated/);
  });
});

describe("Mistral fake, read by @mistralai/mistralai (zod-validated)", () => {
  it("answers chat, streams, embeds, lists models and errors in Mistral's shapes", async () => {
    const res = await mistral().chat.complete({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "hey" }],
    });
    expect(res.choices[0]?.message?.content).toBe("Hello from mistral! You said: hey");
    expect(res.usage.totalTokens).toBeGreaterThan(0);

    const stream = await mistral().chat.stream({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "hey" }],
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const event of stream) {
      text += (event.data.choices[0]?.delta.content as string | undefined) ?? "";
      finish = event.data.choices[0]?.finishReason ?? finish;
    }
    expect(text).toBe("Hello from mistral! You said: hey");
    expect(finish).toBe("stop");

    const emb = await mistral().embeddings.create({ model: "mistral-embed", inputs: ["ab"] });
    expect(emb.data[0]?.embedding).toEqual([2, 0, 0.25, -0.5]);
    const models = await mistral().models.list();
    expect(models.data?.[0]).toMatchObject({ id: "mistral-small-latest", type: "base" });

    const err = await mistral()
      .chat.complete({ model: "x-err429", messages: [{ role: "user", content: "a" }] })
      .catch((e) => e);
    expect(err.statusCode).toBe(429);
    expect(err.body).toContain("Fake mistral error 429");
  });
});

describe("Mistral fake refuses what Mistral refuses", () => {
  it("answers 422 extra_forbidden for OpenAI-only fields, naming each", async () => {
    const res = await fetch(`${mistralFake.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fakeKeys.mistral}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "mistral-small-latest",
        messages: [{ role: "user", content: "a", name: "bob" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { object: string; message: { detail: unknown[] } };
    expect(body.object).toBe("error");
    expect(body.message.detail).toEqual([
      expect.objectContaining({ type: "extra_forbidden", loc: ["body", "stream_options"] }),
      expect.objectContaining({ loc: ["body", "messages", 0, "user", "name"] }),
    ]);
  });
});
