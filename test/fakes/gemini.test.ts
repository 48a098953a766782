/** The Gemini fake, read by `@google/genai`. */
import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGemini } from "./gemini.ts";
import { expectAnswers, expectErrors } from "./genai-checks.ts";
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
  it("answers generateContent, streams to a finishReason, calls a tool, embeds and lists models", async () => {
    await expectAnswers(client(), "gemini");
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

  it("errors and in-band stream errors parse as the SDK expects; a wrong key is a 400", async () => {
    await expectErrors(client());
    const wrongKey = await client("wrong")
      .models.generateContent({ model: "g", contents: "a" })
      .catch((e) => e);
    expect(wrongKey.status).toBe(400);
  });
});
