/**
 * How the gateway translates one rich OpenAI request for each provider, read back from what the
 * fakes received (`/__last`): roles, system prompts, tool calls and results, sampling options.
 */
import type OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { fakeReceived, startGateway } from "../test/gateway.ts";

const request: Omit<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, "model"> = {
  messages: [
    { role: "system", content: "be brief" },
    { role: "developer", content: "no jokes" },
    { role: "user", content: "weather in Paris?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "sunny" },
    { role: "user", content: "thanks" },
  ],
  temperature: 1.5,
  top_p: 0.9,
  max_tokens: 64,
  stop: ["END"],
  seed: 7,
  tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
  tool_choice: "required",
};

describe("request translation", () => {
  const { client } = startGateway();
  const send = async (provider: string, model: string) => {
    const res = await client.chat.completions.create({ ...request, model: `${provider}/${model}` });
    expect(res.choices[0]?.message.content).toBe(`Hello from ${provider}! You said: thanks`);
    return fakeReceived(provider, model);
  };

  it("OpenAI gets the request as sent, with the bearer key", async () => {
    const got = await send("openai", "gpt-req");
    expect(got.path).toBe("/v1/chat/completions");
    expect(got.headers.authorization).toBe(`Bearer ${inject("fakes").keys.openai}`);
    expect(got.body).toMatchObject({
      model: "gpt-req",
      seed: 7,
      temperature: 1.5,
      max_tokens: 64,
      tool_choice: "required",
    });
    expect(got.body.messages).toEqual(request.messages);
  });

  it("Mistral gets random_seed and system instead of seed and developer", async () => {
    const got = await send("mistral", "mistral-req");
    expect(got.body).toMatchObject({ model: "mistral-req", random_seed: 7, max_tokens: 64 });
    expect(got.body).not.toHaveProperty("seed");
    expect((got.body.messages as { role: string }[]).map((m) => m.role)).toEqual([
      "system",
      "system",
      "user",
      "assistant",
      "tool",
      "user",
    ]);
  });

  it("Anthropic gets system, alternating turns with tool_use / tool_result blocks, clamped temperature", async () => {
    const got = await send("anthropic", "claude-req");
    expect(got.path).toBe("/v1/messages");
    expect(got.headers["x-api-key"]).toBe(inject("fakes").keys.anthropic);
    expect(got.headers["anthropic-version"]).toBe("2023-06-01");
    expect(got.body).toEqual({
      model: "claude-req",
      max_tokens: 64,
      system: "be brief\n\nno jokes",
      messages: [
        { role: "user", content: [{ type: "text", text: "weather in Paris?" }] },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: "sunny" },
            { type: "text", text: "thanks" },
          ],
        },
      ],
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ["END"],
      tools: [{ name: "get_weather", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
    });
  });

  it("Cohere gets v2 messages, p, stop_sequences and REQUIRED tool choice", async () => {
    const got = await send("cohere", "command-req");
    expect(got.path).toBe("/v2/chat");
    expect(got.body).toEqual({
      model: "command-req",
      messages: [
        { role: "system", content: "be brief" },
        { role: "system", content: "no jokes" },
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          tool_calls: (request.messages[3] as { tool_calls: unknown }).tool_calls,
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
        { role: "user", content: "thanks" },
      ],
      max_tokens: 64,
      temperature: 1.5,
      p: 0.9,
      seed: 7,
      stop_sequences: ["END"],
      tools: request.tools,
      tool_choice: "REQUIRED",
    });
  });

  it("Gemini gets systemInstruction, user/model contents with function parts and generationConfig", async () => {
    const got = await send("gemini", "gemini-req");
    expect(got.path).toBe("/v1beta/models/gemini-req:generateContent");
    expect(got.search).toBe("");
    expect(got.headers["x-goog-api-key"]).toBe(inject("fakes").keys.gemini);
    expect(got.body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "weather in Paris?" }] },
        {
          role: "model",
          parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { content: "sunny" } } },
            { text: "thanks" },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: "be brief\n\nno jokes" }] },
      generationConfig: {
        temperature: 1.5,
        topP: 0.9,
        maxOutputTokens: 64,
        stopSequences: ["END"],
        seed: 7,
      },
      tools: [{ functionDeclarations: [{ name: "get_weather", parameters: { type: "object" } }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
    });
  });
});
