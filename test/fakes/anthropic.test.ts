/** The Anthropic fake, read by `@anthropic-ai/sdk`. */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "./anthropic.ts";
import { fakeKeys } from "./index.ts";
import type { FakeServer } from "./server.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeAnthropic(fakeKeys.anthropic);
});
afterAll(() => fake.close());

const client = (apiKey: string = fakeKeys.anthropic) =>
  new Anthropic({ baseURL: fake.url, apiKey, maxRetries: 0 });

describe("Anthropic fake, read by @anthropic-ai/sdk", () => {
  it("answers messages and streams them to message_stop", async () => {
    const msg = await client().messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      system: "be brief",
      messages: [{ role: "user", content: "hi there" }],
    });
    expect(msg.content).toEqual([
      { type: "text", text: "Hello from anthropic! You said: hi there" },
    ]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.output_tokens).toBe(7);

    const stream = client().messages.stream({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "yo" }],
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({
      type: "text",
      text: "Hello from anthropic! You said: yo",
    });
    expect(final.stop_reason).toBe("end_turn");
    expect(types.at(-2)).toBe("message_delta");
    expect(types.at(-1)).toBe("message_stop");

    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(["claude-sonnet-4-5"]);
  });

  it("tool use, errors and in-band stream errors parse as the SDK expects", async () => {
    const tool = await client().messages.create({
      model: "c-tool",
      max_tokens: 50,
      messages: [{ role: "user", content: "weather?" }],
    });
    expect(tool.stop_reason).toBe("tool_use");
    expect(tool.content[0]).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "Paris" },
    });

    const toolStream = client().messages.stream({
      model: "c-tool",
      max_tokens: 50,
      messages: [{ role: "user", content: "weather?" }],
    });
    const toolFinal = await toolStream.finalMessage();
    expect(toolFinal.content[0]).toMatchObject({ type: "tool_use", input: { city: "Paris" } });

    const limited = await client()
      .messages.create({
        model: "c-err429",
        max_tokens: 5,
        messages: [{ role: "user", content: "a" }],
      })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    const overloaded = await client()
      .messages.create({
        model: "c-err529",
        max_tokens: 5,
        messages: [{ role: "user", content: "a" }],
      })
      .catch((e) => e);
    expect(overloaded.status).toBe(529);
    expect(
      await client("wrong")
        .models.list()
        .catch((e) => e),
    ).toBeInstanceOf(Anthropic.AuthenticationError);

    const inband = client().messages.stream({
      model: "c-streamerr",
      max_tokens: 50,
      messages: [{ role: "user", content: "a b c d" }],
    });
    await expect(inband.finalMessage()).rejects.toThrow(/Overloaded/);
    const cut = client().messages.stream({
      model: "c-cut",
      max_tokens: 50,
      messages: [{ role: "user", content: "a b c d" }],
    });
    await expect(cut.finalMessage()).rejects.toThrow();
  });
});
