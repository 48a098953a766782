/** The Gemini fake, read by `@google/genai`. */
import { ApiError, GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGemini } from "./gemini.ts";
import { fakeKeys } from "./index.ts";
import type { FakeServer } from "./server.ts";

let fake: FakeServer;
beforeAll(async () => {
  fake = await startFakeGemini(fakeKeys.gemini);
});
afterAll(() => fake.close());

const client = (apiKey: string = fakeKeys.gemini) =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url, retryOptions: { attempts: 1 } } });

describe("Gemini fake, read by @google/genai", () => {
  it("answers generateContent, streams to a finishReason, embeds and lists models", async () => {
    const res = await client().models.generateContent({
      model: "gemini-2.5-flash",
      contents: "hi there",
      config: { systemInstruction: "be brief" },
    });
    expect(res.text).toBe("Hello from gemini! You said: hi there");
    expect(res.candidates?.[0]?.finishReason).toBe("STOP");
    expect(res.usageMetadata?.candidatesTokenCount).toBe(7);

    let text = "";
    let finish: string | undefined;
    for await (const chunk of await client().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "yo",
    })) {
      text += chunk.text ?? "";
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
    }
    expect(text).toBe("Hello from gemini! You said: yo");
    expect(finish).toBe("STOP");

    const emb = await client().models.embedContent({
      model: "gemini-embedding-001",
      contents: ["ab", "cde"],
    });
    expect(emb.embeddings?.map((e) => e.values)).toEqual([
      [2, 0, 0.25, -0.5],
      [3, 1, 0.25, -0.5],
    ]);
    const names: string[] = [];
    for await (const model of await client().models.list()) names.push(model.name ?? "");
    expect(names).toContain("models/gemini-2.5-flash");
  });

  it("function calls, errors and in-band stream errors parse as the SDK expects", async () => {
    const tool = await client().models.generateContent({ model: "g-tool", contents: "weather?" });
    expect(tool.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });

    const limited = await client()
      .models.generateContent({ model: "g-err429", contents: "a" })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(ApiError);
    expect(limited.status).toBe(429);
    expect(limited.message).toContain("RESOURCE_EXHAUSTED");
    const wrongKey = await client("wrong")
      .models.generateContent({ model: "g", contents: "a" })
      .catch((e) => e);
    expect(wrongKey.status).toBe(400);

    const inband = async () => {
      for await (const _ of await client().models.generateContentStream({
        model: "g-streamerr",
        contents: "a b c d",
      }));
    };
    await expect(inband()).rejects.toThrow(/internal error/);
  });
});
