/**
 * What each adapter sends and what comes back when the provider refuses it, through the gateway
 * in workerd with the official `openai` SDK: the provider's own error message reaches the
 * client, and the fakes (which refuse what each real API refuses) receive only fields their
 * provider takes.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { collect, fakeReceived, startGateway } from "../test/gateway.ts";

const chatModels = {
  openai: "gpt-4o-mini",
  anthropic: "claude-sonnet-4-5",
  cohere: "command-a-03-2025",
  mistral: "mistral-small-latest",
  gemini: "gemini-2.5-flash",
} as const;

describe("a provider's 4xx reaches the client with the provider's message", () => {
  const { client } = startGateway();
  const ask = (model: string) =>
    client.chat.completions
      .create({ model, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);

  it.each(Object.entries(chatModels))("%s: 400 and 404", async (provider, model) => {
    const bad = await ask(`${provider}/${model}-err400`);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as Error).message).toContain(`${provider}: Fake ${provider} error 400`);
    const missing = await ask(`${provider}/${model}-err404`);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as Error).message).toContain(`Fake ${provider} error 404`);
  });

  it("mistral: a 422's pydantic detail, where and why, is the message", async () => {
    const err = await ask("mistral/mistral-small-latest-err422");
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain(
      "mistral: body.fake: Fake mistral error 422 (extra_forbidden)",
    );
  });
});

describe("Mistral gets only the fields it takes", () => {
  const { client } = startGateway();

  it("streams with include_usage (no stream_options upstream; usage from the last chunk)", async () => {
    const model = "mistral-small-latest-usage";
    const got = await collect(
      await client.chat.completions.create({
        model: `mistral/${model}`,
        messages: [
          { role: "developer", content: "be brief" },
          { role: "user", content: "tell me", name: "ann" },
        ],
        stream: true,
        stream_options: { include_usage: true },
        seed: 7,
        max_completion_tokens: 30,
        user: "u-1",
        logprobs: false,
      }),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).toBe("Hello from mistral! You said: tell me");
    expect(got.usage?.completion_tokens).toBe(7);
    const { body } = await fakeReceived("mistral", model);
    expect(body).toEqual({
      model,
      stream: true,
      random_seed: 7,
      max_tokens: 30,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "tell me" },
      ],
    });
  });

  it("refuses logprobs with a 400 naming the capability, before any call", async () => {
    const err = await client.chat.completions
      .create({
        model: "mistral/mistral-small-latest",
        messages: [{ role: "user", content: "x" }],
        logprobs: true,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as { code?: string }).code).toBe("unsupported_capability");
  });
});

describe("every OpenAI chat field reaches each provider as a field it takes", () => {
  const { client } = startGateway();
  const tools = [
    {
      type: "function" as const,
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    },
    { type: "function" as const, function: { name: "get_time" } },
  ];

  // The fakes refuse any field their provider does not know: a 200 means none slipped through.
  it.each(Object.entries(chatModels))("%s, plain and streamed", async (provider, model) => {
    for (const stream of [false, true]) {
      const request = {
        model: `${provider}/${model}-allfields`,
        messages: [
          { role: "developer" as const, content: "be brief" },
          { role: "user" as const, content: "hi", name: "ann" },
        ],
        max_completion_tokens: 20,
        temperature: 0.5,
        top_p: 0.9,
        n: 1,
        stop: ["\n\n"],
        seed: 3,
        presence_penalty: 0.1,
        frequency_penalty: 0.1,
        tools,
        tool_choice: "auto" as const,
        parallel_tool_calls: false,
        logprobs: false,
        user: "u-1",
        ...(provider === "anthropic" ? {} : { response_format: { type: "json_object" as const } }),
      };
      if (stream) {
        const got = await collect(
          await client.chat.completions.create({
            ...request,
            stream: true,
            stream_options: { include_usage: true },
          }),
        );
        expect(got.error).toBeUndefined();
        expect(got.usage?.completion_tokens).toBeGreaterThan(0);
      } else {
        const res = await client.chat.completions.create({ ...request, stream: false });
        expect(res.choices[0]?.message.content).toContain(`Hello from ${provider}`);
      }
    }
  });

  it("openai: stream_options only on a streamed request (OpenAI refuses it otherwise)", async () => {
    await client.chat.completions.create({
      model: "openai/gpt-4o-mini-nostream",
      messages: [{ role: "user", content: "x" }],
      stream_options: { include_usage: true },
    });
    const { body } = await fakeReceived("openai", "gpt-4o-mini-nostream");
    expect(body).not.toHaveProperty("stream_options");
  });

  it("cohere: a named tool choice becomes that tool alone, required", async () => {
    await client.chat.completions.create({
      model: "cohere/command-a-03-2025-named",
      messages: [{ role: "user", content: "x" }],
      tools,
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const { body } = await fakeReceived("cohere", "command-a-03-2025-named");
    expect(body.tool_choice).toBe("REQUIRED");
    expect((body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual([
      "get_time",
    ]);
  });

  it("gemini and anthropic refuse logprobs with a 400 naming the capability", async () => {
    for (const model of ["gemini/gemini-2.5-flash", "anthropic/claude-sonnet-4-5"]) {
      const err = await client.chat.completions
        .create({ model, messages: [{ role: "user", content: "x" }], logprobs: true })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toMatch(/does not support logprobs/);
    }
  });
});
