/** The shared OpenAI shapes: what the builders write, and assembly as the inverse of replay. */
import { describe, expect, it } from "vitest";
import {
  assembleChat,
  assembleCompletion,
  assistantChoice,
  chatChunk,
  chatCompletion,
  choiceEndChunks,
  chunkChoice,
  replayChat,
  replayCompletion,
  textCompletion,
  usageOf,
} from "./openai-shapes.ts";
import type { ChatCompletion } from "./schemas/chat.ts";
import type { Completion } from "./schemas/completions.ts";

const ctx = { id: "chatcmpl-1", created: 1_700_000_000, model: "openai/m" };
const usage = usageOf(3, 4);
const call = {
  id: "call_1",
  type: "function" as const,
  function: { name: "f", arguments: '{"a":1}' },
};

describe("builders", () => {
  it("write OpenAI's keys in OpenAI's order, system_fingerprint and usage only when given", () => {
    expect(JSON.stringify(chatCompletion(ctx, [assistantChoice(0, "hi", [], "stop")], usage))).toBe(
      '{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"openai/m",' +
        '"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"logprobs":null,' +
        '"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}',
    );
    const appliance = { ...ctx, systemFingerprint: null };
    expect(JSON.stringify(chatChunk(appliance, [chunkChoice(0, { content: "x" })], null))).toBe(
      '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"openai/m",' +
        '"system_fingerprint":null,"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,' +
        '"finish_reason":null}],"usage":null}',
    );
    expect(assistantChoice(0, null, [call], "tool_calls", { refusal: null }).message).toEqual({
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [call],
    });
    expect(textCompletion(ctx, [])).toEqual({
      id: ctx.id,
      object: "text_completion",
      created: ctx.created,
      model: ctx.model,
      choices: [],
    });
  });

  it("end a choice with its tool calls (indexed) and then its finish reason", () => {
    const [tools, finish] = choiceEndChunks(ctx, 1, [call], "tool_calls");
    expect(tools?.choices).toEqual([chunkChoice(1, { tool_calls: [{ index: 0, ...call }] })]);
    expect(finish?.choices).toEqual([chunkChoice(1, {}, "tool_calls")]);
    expect(choiceEndChunks(ctx, 0, undefined, "stop")).toHaveLength(1);
  });
});

describe("assembly and replay", () => {
  it("assembles the chunks of a chat answer back into the answer", () => {
    const answer: ChatCompletion = {
      ...chatCompletion(
        { ...ctx, systemFingerprint: "fp_1" },
        [
          assistantChoice(0, "Hello there", undefined, "stop"),
          assistantChoice(1, null, [call, { ...call, id: "call_2" }], "tool_calls"),
          assistantChoice(2, "both", [call], "tool_calls"),
        ],
        usage,
      ),
    };
    for (const includeUsage of [false, true]) {
      expect(assembleChat(replayChat(answer, includeUsage), usage)).toEqual(answer);
    }
  });

  it("assembles chunks split anywhere, and refuses a stream without its finish reason", () => {
    const chunks = [
      chatChunk(ctx, [chunkChoice(0, { role: "assistant", content: "" })]),
      chatChunk(ctx, [chunkChoice(0, { content: "Hel" })]),
      chatChunk(ctx, [chunkChoice(0, { content: "lo" })]),
      chatChunk(ctx, [
        chunkChoice(0, {
          tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: "{" } }],
        }),
      ]),
      chatChunk(ctx, [
        chunkChoice(0, { tool_calls: [{ index: 0, function: { arguments: "}" } }] }),
      ]),
    ];
    expect(assembleChat(chunks, usage)).toBeNull();
    const done = [...chunks, chatChunk(ctx, [chunkChoice(0, {}, "tool_calls")])];
    expect(assembleChat(done, usage)?.choices[0]?.message).toEqual({
      role: "assistant",
      content: "Hello",
      tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
    });
    expect(assembleChat([], usage)).toBeNull();
  });

  it("assembles the chunks of a legacy completion back into the completion", () => {
    const answer: Completion = textCompletion(
      { ...ctx, id: "cmpl-1" },
      [
        { index: 0, text: "one", logprobs: null, finish_reason: "stop" },
        { index: 1, text: "two", logprobs: null, finish_reason: "length" },
      ],
      usage,
    );
    for (const includeUsage of [false, true]) {
      expect(assembleCompletion(replayCompletion(answer, includeUsage), usage)).toEqual(answer);
    }
    const cut = textCompletion(ctx, [
      { index: 0, text: "a", logprobs: null, finish_reason: null as never },
    ]);
    expect(assembleCompletion([cut], usage)).toBeNull();
  });
});
