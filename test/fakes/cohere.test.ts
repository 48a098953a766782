/** The Cohere fake, read by `cohere-ai` (v2 client). */
import { CohereClientV2, CohereError } from "cohere-ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeCohere } from "./cohere.ts";
import { fakeKeys } from "./index.ts";
import type { FakeServer } from "./server.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeCohere(fakeKeys.cohere);
});
afterAll(() => fake.close());

const client = (token: string = fakeKeys.cohere) =>
  new CohereClientV2({ token, environment: fake.url });

describe("Cohere fake, read by cohere-ai", () => {
  it("answers chat, streams to message-end, embeds and lists models", async () => {
    const res = await client().chat(
      { model: "command-a-03-2025", messages: [{ role: "user", content: "hi there" }] },
      { maxRetries: 0 },
    );
    expect(res.finishReason).toBe("COMPLETE");
    expect(res.message.content?.[0]).toEqual({
      type: "text",
      text: "Hello from cohere! You said: hi there",
    });
    expect(res.usage?.billedUnits?.outputTokens).toBe(7);

    const stream = await client().chatStream(
      { model: "command-a-03-2025", messages: [{ role: "user", content: "yo" }] },
      { maxRetries: 0 },
    );
    let text = "";
    let last: string | undefined;
    let finish: string | undefined;
    for await (const event of stream) {
      last = event.type;
      if (event.type === "content-delta") text += event.delta?.message?.content?.text ?? "";
      if (event.type === "message-end") finish = event.delta?.finishReason;
    }
    expect(text).toBe("Hello from cohere! You said: yo");
    expect(last).toBe("message-end");
    expect(finish).toBe("COMPLETE");

    const emb = await client().embed(
      {
        model: "embed-v4.0",
        texts: ["ab"],
        inputType: "search_document",
        embeddingTypes: ["float"],
      },
      { maxRetries: 0 },
    );
    expect(emb.embeddings.float).toEqual([[2, 0, 0.25, -0.5]]);
    const models = await client().models.list();
    expect(models.models.map((m) => m.name)).toContain("embed-v4.0");
  });

  it("tool calls, errors and a stream error end parse as the SDK expects", async () => {
    const tool = await client().chat(
      { model: "c-tool", messages: [{ role: "user", content: "weather?" }] },
      { maxRetries: 0 },
    );
    expect(tool.finishReason).toBe("TOOL_CALL");
    expect(tool.message.toolCalls?.[0]?.function).toEqual({
      name: "get_weather",
      arguments: '{"city":"Paris"}',
    });

    const limited = await client()
      .chat({ model: "c-err429", messages: [{ role: "user", content: "a" }] }, { maxRetries: 0 })
      .then(
        () => undefined,
        (e: unknown) => e as CohereError,
      );
    expect(limited).toBeInstanceOf(CohereError);
    expect(limited?.statusCode).toBe(429);
    expect(limited?.body).toMatchObject({ message: "Fake cohere error 429" });

    const stream = await client().chatStream(
      { model: "c-streamerr", messages: [{ role: "user", content: "a b" }] },
      { maxRetries: 0 },
    );
    let finish: string | undefined;
    for await (const event of stream)
      if (event.type === "message-end") finish = event.delta?.finishReason;
    expect(finish).toBe("ERROR");
  });
});
