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
