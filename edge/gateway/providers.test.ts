/**
 * Each provider, through the gateway in workerd, as the official `openai` SDK sees it: plain and
 * streamed chat, tool calls, embeddings, models, and capabilities a provider lacks.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { tinyPngBase64 } from "../../test/fakes/images.ts";
import {
  collect,
  fakeCalls,
  fakeChatModels,
  fakeProviderBindings,
  fakeReceived,
  startGateway,
} from "../test/gateway.ts";

const chatModels = fakeChatModels;

describe.each(Object.entries(chatModels))("%s through the gateway", (provider, model) => {
  // Azure's deployments are not listed by Azure: the operator's catalogue names them.
  const { client, call } = startGateway({
    bindings: {
      MODEL_CATALOGUE: {
        version: 1,
        pricesAsOf: "2025-06-01",
        models: { "azure/my-gpt": { capabilities: ["chat", "tools", "json"] } },
      },
    },
  });
  const name = `${provider}/${model}`;

  it("retrieves its model with models.retrieve, as a model of its provider", async () => {
    const got = await client.models.retrieve(name);
    expect(got).toMatchObject({ id: name, object: "model", owned_by: provider });
  });

  it("answers a plain chat completion in OpenAI's shape, naming the target", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: name,
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hi there" },
        ],
        max_tokens: 50,
      })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe(name);
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe(name);
    expect(data.choices[0]?.message.content).toBe(`Hello from ${provider}! You said: hi there`);
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage?.completion_tokens).toBe(7);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("streams chunks that end in a finish reason, usage and [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: name,
      messages: [{ role: "user", content: "tell me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const got = await collect(stream);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(`Hello from ${provider}! You said: tell me`);
    expect(got.finishes).toEqual(["stop"]);
    expect(got.usage?.completion_tokens).toBe(7);

    const raw = await call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: name,
        messages: [{ role: "user", content: "x" }],
        stream: true,
      }),
    });
    expect(raw.headers.get("content-type")).toContain("text/event-stream");
    expect((await raw.text()).trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("translates tool calls, plain and streamed", async () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const messages = [{ role: "user" as const, content: "weather?" }];
    const plain = await client.chat.completions.create({
      model: `${provider}/${model}-tool`,
      messages,
      tools,
    });
    expect(plain.choices[0]?.finish_reason).toBe("tool_calls");
    const toolCall = plain.choices[0]?.message.tool_calls?.[0];
    expect(toolCall?.type === "function" && toolCall.function.name).toBe("get_weather");
    expect(toolCall?.type === "function" && JSON.parse(toolCall.function.arguments)).toEqual({
      city: "Paris",
    });

    const streamed = await collect(
      await client.chat.completions.create({
        model: `${provider}/${model}-tool`,
        messages,
        tools,
        stream: true,
      }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.finishes).toEqual(["tool_calls"]);
    expect(streamed.toolCalls[0]?.function?.name).toBe("get_weather");
    expect(JSON.parse(streamed.toolCalls.map((t) => t.function?.arguments ?? "").join(""))).toEqual(
      { city: "Paris" },
    );
  });
});

describe("model lists are cached per isolate for five minutes (injected clock)", () => {
  it("asks each provider once, then again after the TTL", async () => {
    let now = Date.UTC(2026, 0, 1);
    let listCalls = 0;
    const { client } = startGateway({
      deps: {
        now: () => now,
        fetch: (input, init) => {
          if (String(input instanceof Request ? input.url : input).endsWith("/models")) listCalls++;
          return fetch(input, init);
        },
      },
    });
    await client.models.list();
    expect(listCalls).toBe(5);
    now += 5 * 60_000 - 1;
    await client.models.list();
    expect(listCalls).toBe(5);
    now += 1;
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(listCalls).toBe(10);
    expect(ids).toContain("cohere/command-a-03-2025");
  });
});

describe("embeddings and models through the gateway", () => {
  const { client } = startGateway();
  const embeddingModels = {
    openai: "text-embedding-3-small",
    cohere: "embed-v4.0",
    mistral: "mistral-embed",
    gemini: "gemini-embedding-001",
  };

  it.each(Object.entries(embeddingModels))(
    "%s embeddings, as floats and as the SDK's base64",
    async (provider, model) => {
      // The SDK asks for base64 by default and decodes it; the gateway encodes whatever came back.
      const viaBase64 = await client.embeddings.create({
        model: `${provider}/${model}`,
        input: ["ab", "cde"],
      });
      expect(viaBase64.model).toBe(`${provider}/${model}`);
      expect(viaBase64.data.map((d) => d.embedding)).toEqual([
        [2, 0, 0.25, -0.5],
        [3, 1, 0.25, -0.5],
      ]);
      const floats = await client.embeddings.create({
        model: `${provider}/${model}`,
        input: "ab",
        encoding_format: "float",
      });
      expect(floats.data[0]?.embedding).toEqual([2, 0, 0.25, -0.5]);
    },
  );

  it("refuses a capability the provider lacks with a 400 naming both", async () => {
    const err = await client.embeddings
      .create({ model: "anthropic/claude-sonnet-4-5", input: "x" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe("unsupported_capability");
    expect(err.message).toMatch(/anthropic.*embeddings/);
    const n = await client.chat.completions
      .create({
        model: "anthropic/claude-sonnet-4-5",
        n: 2,
        messages: [{ role: "user", content: "x" }],
      })
      .catch((e) => e);
    expect(n).toBeInstanceOf(OpenAI.BadRequestError);
    expect(n.message).toMatch(/anthropic.*n > 1/);
  });

  it("answers JSON mode on Anthropic through a forced tool, as message content", async () => {
    const response_format = {
      type: "json_schema" as const,
      json_schema: {
        name: "person",
        schema: {
          type: "object",
          properties: { name: { type: "string" }, age: { type: "integer" } },
          required: ["name", "age"],
        },
      },
    };
    const request = {
      model: "anthropic/claude-sonnet-4-5-json",
      messages: [{ role: "user" as const, content: "Ada" }],
      response_format,
    };
    const plain = await client.chat.completions.create(request);
    const choice = plain.choices[0];
    expect(choice?.finish_reason).toBe("stop");
    expect(choice?.message.tool_calls ?? []).toEqual([]);
    expect(JSON.parse(choice?.message.content ?? "")).toEqual({
      name: expect.any(String),
      age: 1,
    });
    // Anthropic was asked for the schema as a forced tool.
    const sent = (await fakeReceived("anthropic", "claude-sonnet-4-5-json")).body;
    expect(sent.tools).toEqual([
      expect.objectContaining({ input_schema: response_format.json_schema.schema }),
    ]);
    expect(sent.tool_choice).toMatchObject({ type: "tool" });
    expect(sent).not.toHaveProperty("response_format");

    const streamed = await collect(
      await client.chat.completions.create({ ...request, stream: true }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.finishes).toEqual(["stop"]);
    expect(JSON.parse(streamed.text)).toEqual(JSON.parse(choice?.message.content ?? ""));
    expect(streamed.toolCalls).toEqual([]);

    const object = await client.chat.completions.create({
      ...request,
      response_format: { type: "json_object" },
    });
    expect(typeof JSON.parse(object.choices[0]?.message.content ?? "")).toBe("object");
    const withTools = await client.chat.completions
      .create({
        ...request,
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      })
      .catch((e) => e);
    expect(withTools).toBeInstanceOf(OpenAI.BadRequestError);
    expect(withTools.code).toBe("unsupported_capability");
  });

  it("serves legacy completions from OpenAI, plain and streamed, and refuses them elsewhere", async () => {
    const plain = await client.completions.create({
      model: "openai/gpt-3.5-turbo-instruct",
      prompt: "once",
    });
    expect(plain.object).toBe("text_completion");
    expect(plain.choices[0]).toMatchObject({
      text: "Hello from openai! You said: once",
      finish_reason: "stop",
    });
    let text = "";
    const finishes: string[] = [];
    for await (const chunk of await client.completions.create({
      model: "openai/gpt-3.5-turbo-instruct",
      prompt: "once",
      stream: true,
    })) {
      text += chunk.choices[0]?.text ?? "";
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    }
    expect(text).toBe("Hello from openai! You said: once");
    expect(finishes).toEqual(["stop"]);
    const cut = client.completions.create({
      model: "openai/m-noterm",
      prompt: "a b c d e f",
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _ of await cut);
      })(),
    ).rejects.toMatchObject({ code: "upstream_stream_incomplete" });

    for (const model of [
      "anthropic/claude-sonnet-4-5",
      "gemini/gemini-2.5-flash",
      "cohere/command-a-03-2025",
      "mistral/mistral-small-latest",
    ]) {
      const err = await client.completions.create({ model, prompt: "x" }).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.message).toMatch(new RegExp(`'${model.split("/")[0]}'.*legacy completions`));
    }
  });

  it("retrieves one model by its provider/model name, with the catalogue's capabilities", async () => {
    const mini = await client.models.retrieve("openai/gpt-4o-mini");
    expect(mini).toMatchObject({
      id: "openai/gpt-4o-mini",
      object: "model",
      owned_by: "openai",
      capabilities: ["chat", "vision", "tools", "json"],
      context_length: 128_000,
    });
    // Fields beyond OpenAI's Model type.
    const command = (await client.models.retrieve("cohere/command-a-03-2025")) as unknown as {
      capabilities: string[];
    };
    expect(command.capabilities).not.toContain("vision");
    const missing = await client.models.retrieve("openai/no-such-model").catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.code).toBe("model_not_found");
  });

  it("lists every provider's models as provider/model, and unknown models are 404", async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "openai/gpt-4o-mini",
        "anthropic/claude-sonnet-4-5",
        "cohere/command-a-03-2025",
        "mistral/mistral-small-latest",
        "gemini/gemini-2.5-flash",
      ]),
    );
    const missing = await client.chat.completions
      .create({ model: "nobody/model", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("capabilities from the model catalogue", () => {
  const image = `data:image/png;base64,${tinyPngBase64}`;
  const { client, call } = startGateway({
    policy: {
      aliases: {
        seeing: {
          targets: [{ model: "cohere/command-a-03-2025" }, { model: "openai/gpt-4o-mini" }],
        },
        blind: { targets: [{ model: "cohere/command-a-03-2025" }] },
      },
    },
  });
  const withImage = (model: string) => ({
    model,
    messages: [
      {
        role: "user" as const,
        content: [
          { type: "text" as const, text: "what is this?" },
          { type: "image_url" as const, image_url: { url: image } },
        ],
      },
    ],
  });

  it("refuses a chat model on /v1/embeddings before calling the provider", async () => {
    const before = (await fakeCalls("openai"))["gpt-4o-mini"] ?? 0;
    const err = await client.embeddings
      .create({ model: "openai/gpt-4o-mini", input: "x" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe("unsupported_capability");
    expect(err.message).toContain("has no embeddings");
    expect((await fakeCalls("openai"))["gpt-4o-mini"] ?? 0).toBe(before);
  });

  it("skips alias targets that lack what the request needs, and refuses when none is left", async () => {
    const res = await call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(withImage("seeing")),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-textnlp-target")).toBe("openai/gpt-4o-mini");
    // Text only: the first target serves it.
    const text = await call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "seeing", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(text.headers.get("x-textnlp-target")).toBe("cohere/command-a-03-2025");
    const none = await client.chat.completions.create(withImage("blind")).catch((e) => e);
    expect(none).toBeInstanceOf(OpenAI.BadRequestError);
    expect(none.code).toBe("unsupported_capability");
    expect(none.message).toContain("'cohere/command-a-03-2025' has no vision");
  });
});

describe("OpenAI-compatible presets (data only: a base URL and a key name)", () => {
  // Groq speaks OpenAI's wire format: the OpenAI fake stands in for it at GROQ_BASE_URL.
  const fakes = fakeProviderBindings();
  const { client } = startGateway({
    bindings: { GROQ_API_KEY: "fake-groq-key", GROQ_BASE_URL: fakes.OPENAI_BASE_URL },
  });

  it("routes groq/<model> to the preset's base URL with its key, plain and streamed", async () => {
    const err = await client.chat.completions
      .create({ model: "groq/llama-3.3-70b", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    // The OpenAI fake refuses any key but OpenAI's: the preset sent its own.
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.code).toBe("upstream_auth_failed");
    expect(err.headers.get("x-textnlp-target")).toBe("groq/llama-3.3-70b");
    const sent = await fakeReceived("openai", "llama-3.3-70b");
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.headers.authorization).toBe("Bearer fake-groq-key");
  });
});

describe("a preset with a working key", () => {
  const fakes = fakeProviderBindings();
  const { client } = startGateway({
    bindings: { TOGETHER_API_KEY: fakes.OPENAI_API_KEY, TOGETHER_BASE_URL: fakes.OPENAI_BASE_URL },
  });

  it("answers plain and streamed with usage, named by its preset", async () => {
    const model = "together/meta-llama-3";
    const plain = await client.chat.completions
      .create({ model, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(plain.response.headers.get("x-textnlp-target")).toBe(model);
    expect(plain.data.choices[0]?.message.content).toContain("You said: hi");
    const streamed = await collect(
      await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "hi" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.text).toBe(plain.data.choices[0]?.message.content);
    expect(streamed.usage?.completion_tokens).toBeGreaterThan(0);
  });
});

describe("Azure OpenAI through the gateway (azure/<deployment>)", () => {
  const { client } = startGateway();
  const messages = [{ role: "user" as const, content: "hi" }];

  it("calls the deployment's path with api-version and api-key, plain and streamed", async () => {
    const plain = await client.chat.completions
      .create({ model: "azure/my-gpt", messages })
      .withResponse();
    expect(plain.response.headers.get("x-textnlp-target")).toBe("azure/my-gpt");
    expect(plain.data.choices[0]?.message.content).toContain("You said: hi");
    const sent = await fakeReceived("azure", "my-gpt");
    expect(sent.path).toBe("/openai/deployments/my-gpt/chat/completions");
    expect(sent.search).toBe("?api-version=2024-10-21");
    expect(sent.headers["api-key"]).toBe(fakeProviderBindings().AZURE_API_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).not.toHaveProperty("model");
    const streamed = await collect(
      await client.chat.completions.create({
        model: "azure/my-gpt",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.text).toBe(plain.data.choices[0]?.message.content);
    expect(streamed.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("embeds, and passes Azure's errors on with their words", async () => {
    const embedded = await client.embeddings.create({ model: "azure/my-embed", input: "x" });
    expect(embedded.data[0]?.embedding.length).toBeGreaterThan(0);
    const err = await client.chat.completions
      .create({ model: "azure/my-gpt-err429", messages })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.message).toContain("azure: Fake azure error 429");
  });
});

describe("AI21 (Jamba) through the gateway", () => {
  const { client } = startGateway({
    policy: {
      retry: { attempts: 0 },
      aliases: {
        jamba: { targets: [{ model: "ai21/jamba-mini-err503" }, { model: "ai21/jamba-mini" }] },
      },
    },
  });

  it("sends content as a string, developer as system, JSON as json_object; usage when streamed", async () => {
    const messages = [
      { role: "developer" as const, content: "be brief" },
      { role: "user" as const, name: "ann", content: [{ type: "text" as const, text: "hi" }] },
    ];
    const plain = await client.chat.completions.create({
      model: "ai21/jamba-mini",
      messages,
      max_completion_tokens: 20,
      response_format: { type: "json_object" },
      tool_choice: "auto",
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    });
    expect(plain.choices[0]?.message.content).toContain("You said: hi");
    const sent = await fakeReceived("ai21", "jamba-mini");
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body.messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ]);
    expect(sent.body).toMatchObject({ max_tokens: 20, response_format: { type: "json_object" } });
    expect(sent.body).not.toHaveProperty("tool_choice");
    const streamed = await collect(
      await client.chat.completions.create({
        model: "ai21/jamba-mini",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.usage?.completion_tokens).toBeGreaterThan(0);
    expect((await fakeReceived("ai21", "jamba-mini")).body).not.toHaveProperty("stream_options");
  });

  it("refuses what Jamba cannot do before calling it", async () => {
    const before = await fakeCalls("ai21");
    const refusals = [
      { response_format: { type: "json_schema" as const, json_schema: { name: "x", schema: {} } } },
      { tool_choice: "required" as const },
      {
        messages: [
          {
            role: "user" as const,
            content: [
              {
                type: "image_url" as const,
                image_url: { url: `data:image/png;base64,${tinyPngBase64}` },
              },
            ],
          },
        ],
      },
    ];
    for (const extra of refusals) {
      const err = await client.chat.completions
        .create({ model: "ai21/jamba-mini", messages: [{ role: "user", content: "x" }], ...extra })
        .catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.code).toBe("unsupported_capability");
    }
    expect(await fakeCalls("ai21")).toEqual(before);
  });

  it("falls back from a failing Jamba target to the next", async () => {
    const res = await client.chat.completions
      .create({ model: "jamba", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(res.response.headers.get("x-textnlp-target")).toBe("ai21/jamba-mini");
  });
});

describe.each(Object.entries(chatModels))("falling back from %s", (provider, model) => {
  // Each provider failing first, another answering: the chain crosses provider kinds.
  const next = provider === "openai" ? "anthropic/claude-sonnet-4-5" : "openai/gpt-4o-mini";
  const { client } = startGateway({
    policy: {
      retry: { attempts: 0 },
      aliases: {
        chain: { targets: [{ model: `${provider}/${model}-err503` }, { model: next }] },
      },
    },
  });
  const messages = [{ role: "user" as const, content: "hi" }];

  it("answers from the next target, plain and streamed", async () => {
    const plain = await client.chat.completions.create({ model: "chain", messages }).withResponse();
    expect(plain.response.headers.get("x-textnlp-target")).toBe(next);
    const streamed = await client.chat.completions
      .create({ model: "chain", messages, stream: true })
      .withResponse();
    expect(streamed.response.headers.get("x-textnlp-target")).toBe(next);
    const got = await collect(streamed.data);
    expect(got.error).toBeUndefined();
    expect(got.text).toContain("You said: hi");
  });
});
