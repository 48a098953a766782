/**
 * The OpenAI shapes every adapter answers with, built in one place so the translations only say
 * what differs per provider: the completion and chunk envelopes, an assistant choice, usage, and
 * the text and tool arguments of an OpenAI request's messages.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
} from "../../shared/api/schemas/chat.ts";
import type { Usage } from "../../shared/api/schemas/common.ts";
import type { ResponseContext } from "./types.ts";

type Choice = ChatCompletion["choices"][number];
type ToolCall = NonNullable<Choice["message"]["tool_calls"]>[number];
type ChunkChoice = ChatCompletionChunk["choices"][number];

/** The text of a message's content (a string, or text parts joined). */
export function messageText(content: ChatMessage["content"]): string {
  return typeof content === "string" ? content : (content ?? []).map((p) => p.text).join("");
}

/** A tool call's JSON arguments as an object; `{}` when they do not parse (providers want one). */
export function parseToolArguments(args: string): unknown {
  try {
    return JSON.parse(args || "{}");
  } catch {
    return {};
  }
}

/** OpenAI usage from prompt and completion counts. */
export function usageOf(prompt: number, completion: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** An assistant choice: `content` null when nothing was said, `tool_calls` only when there are some. */
export function assistantChoice(
  index: number,
  content: string | null,
  toolCalls: ToolCall[] | undefined,
  finishReason: Choice["finish_reason"],
): Choice {
  return {
    index,
    message: {
      role: "assistant",
      content,
      ...(toolCalls && toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    logprobs: null,
    finish_reason: finishReason,
  };
}

/** A chat completion stamped with the gateway's id, time and model. */
export function chatCompletion(
  ctx: ResponseContext,
  choices: Choice[],
  usage: Usage,
): ChatCompletion {
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices,
    usage,
  };
}

/** A chunk stamped with the gateway's id, time and model. */
export function chatChunk(ctx: ResponseContext, choices: ChunkChoice[]): ChatCompletionChunk {
  return {
    id: ctx.id,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    choices,
  };
}

/** For streams with one choice: the chunks (one) carrying `delta` and an optional finish reason. */
export function singleChoiceChunks(ctx: ResponseContext) {
  return (
    delta: ChunkChoice["delta"],
    finish: ChunkChoice["finish_reason"] = null,
  ): ChatCompletionChunk[] => [chatChunk(ctx, [{ index: 0, delta, finish_reason: finish }])];
}
