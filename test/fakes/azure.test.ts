/**
 * The Azure OpenAI fake, read by the official SDK's `AzureOpenAI` client (deployment paths,
 * `api-version`, `api-key`): if the fake drifted from Azure's wire format, the SDK would fail.
 */
import { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAzure } from "./azure.ts";
import { fakeKeys } from "./index.ts";
import type { FakeServer } from "./server.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeAzure(fakeKeys.azure);
});
afterAll(() => fake.close());

const client = (apiKey: string = fakeKeys.azure) =>
  new AzureOpenAI({
    endpoint: fake.url,
    apiKey,
    apiVersion: "2024-10-21",
    deployment: "my-gpt",
    maxRetries: 0,
  });

describe("Azure OpenAI fake, read by the openai SDK's AzureOpenAI", () => {
  it("answers a deployment's chat, plain and streamed past the prompt-filter chunk", async () => {
    const messages = [{ role: "user" as const, content: "hi there" }];
    const plain = await client().chat.completions.create({ model: "ignored", messages });
    expect(plain.choices[0]?.message.content).toBe("Hello from azure! You said: hi there");
    let text = "";
    let sawFilterChunk = false;
    for await (const chunk of await client().chat.completions.create({
      model: "ignored",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })) {
      if (chunk.choices.length === 0 && !chunk.usage) sawFilterChunk = true;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(sawFilterChunk).toBe(true);
    expect(text).toBe(plain.choices[0]?.message.content);
  });

  it("embeds, and refuses a wrong key with Azure's 401", async () => {
    const res = await client().embeddings.create({ model: "ignored", input: "hi" });
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
    await expect(
      client("wrong").chat.completions.create({
        model: "x",
        messages: [{ role: "user", content: "x" }],
      }),
    ).rejects.toMatchObject({ status: 401 });
  });
});
