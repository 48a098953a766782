/**
 * What `@google/genai` must read the same from either `generateContent` fake (Gemini's, and
 * Vertex AI's through the SDK's Vertex mode): a plain answer, a stream to its finishReason, a
 * function call, a 429 and an in-band stream error.
 */
import { ApiError, type GoogleGenAI } from "@google/genai";
import { expect } from "vitest";

/** Checks a plain answer, a streamed one and a function call from `provider`'s fake. */
export async function expectAnswers(ai: GoogleGenAI, provider: string): Promise<void> {
  const res = await ai.models.generateContent({
    model: "gemini-2.5-flash",
    contents: "hi there",
    config: { systemInstruction: "be brief" },
  });
  expect(res.text).toBe(`Hello from ${provider}! You said: hi there`);
  expect(res.candidates?.[0]?.finishReason).toBe("STOP");
  expect(res.usageMetadata?.candidatesTokenCount).toBe(7);

  let text = "";
  let finish: string | undefined;
  for await (const chunk of await ai.models.generateContentStream({
    model: "gemini-2.5-flash",
    contents: "yo",
  })) {
    text += chunk.text ?? "";
    finish = chunk.candidates?.[0]?.finishReason ?? finish;
  }
  expect(text).toBe(`Hello from ${provider}! You said: yo`);
  expect(finish).toBe("STOP");

  const tool = await ai.models.generateContent({ model: "g-tool", contents: "weather?" });
  expect(tool.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
}

/** Checks that a 429 is the SDK's `ApiError` and an in-band stream error is thrown. */
export async function expectErrors(ai: GoogleGenAI): Promise<void> {
  const limited = await ai.models
    .generateContent({ model: "g-err429", contents: "a" })
    .catch((e) => e);
  expect(limited).toBeInstanceOf(ApiError);
  expect(limited.status).toBe(429);
  expect(limited.message).toContain("RESOURCE_EXHAUSTED");

  const inband = async () => {
    for await (const _ of await ai.models.generateContentStream({
      model: "g-streamerr",
      contents: "a b c d",
    }));
  };
  await expect(inband()).rejects.toThrow(/internal error/);
}
