import { describe, expect, it } from "vitest";
import { refuseImages, stopList, toChatFunctions, toChatHistory } from "./chat-format.ts";

describe("toChatHistory", () => {
  it("refuses image parts with a 400 unsupported_capability naming the message", () => {
    const messages = [
      { role: "user" as const, content: "first" },
      {
        role: "user" as const,
        content: [
          { type: "text" as const, text: "what is this?" },
          { type: "image_url" as const, image_url: { url: "https://example.com/a.png" } },
        ],
      },
    ];
    expect(() => toChatHistory(messages)).toThrow(
      expect.objectContaining({
        status: 400,
        code: "unsupported_capability",
        param: "messages.1.content",
      }),
    );
    expect(() => refuseImages(messages.slice(0, 1))).not.toThrow();
  });

  it("maps roles, joins text parts and opens a model response", () => {
    expect(
      toChatHistory([
        { role: "system", content: "Be brief." },
        {
          role: "developer",
          content: [
            { type: "text", text: "Use " },
            { type: "text", text: "English." },
          ],
        },
        { role: "user", content: "Hi" },
      ]),
    ).toEqual([
      { type: "system", text: "Be brief." },
      { type: "system", text: "Use English." },
      { type: "user", text: "Hi" },
      { type: "model", response: [] },
    ]);
  });

  it("continues a trailing assistant message instead of starting a new one", () => {
    const history = toChatHistory([
      { role: "user", content: "Count" },
      { role: "assistant", content: "one, two," },
    ]);
    expect(history.at(-1)).toEqual({ type: "model", response: ["one, two,"] });
    expect(history).toHaveLength(2);
  });

  it("attaches tool results to the assistant's function calls", () => {
    const history = toChatHistory([
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "c1",
            type: "function",
            function: { name: "weather", arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: '{"temp":3}' },
    ]);
    expect(history[1]).toEqual({
      type: "model",
      response: [
        { type: "functionCall", name: "weather", params: { city: "Oslo" }, result: { temp: 3 } },
      ],
    });
    // The model continues the same response after its function results (node-llama-cpp's convention).
    expect(history).toHaveLength(2);
  });

  it("refuses a tool message that answers no call, and arguments that are not JSON", () => {
    expect(() => toChatHistory([{ role: "tool", tool_call_id: "x", content: "1" }])).toThrow(
      /does not answer a tool call/,
    );
    expect(() =>
      toChatHistory([
        {
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{" } }],
        },
      ]),
    ).toThrow(/messages\.0\.tool_calls\.0\.function\.arguments is not valid JSON/);
  });
});

describe("toChatFunctions / stopList", () => {
  it("converts tools and normalises stop", () => {
    expect(
      toChatFunctions([
        {
          type: "function",
          function: { name: "f", description: "d", parameters: { type: "object" } },
        },
      ]),
    ).toEqual({ f: { description: "d", params: { type: "object" } } });
    expect(stopList("x")).toEqual(["x"]);
    expect(stopList(["a", "b"])).toEqual(["a", "b"]);
    expect(stopList(null)).toEqual([]);
  });
});
