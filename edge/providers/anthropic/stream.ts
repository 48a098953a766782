/**
 * Anthropic stream events → OpenAI chunks. Complete only after `message_delta` carried a
 * stop_reason and `message_stop` arrived; `event: error` is an in-band failure.
 */

import { singleChoiceChunks, usageOf } from "../../../shared/api/openai-shapes.ts";
import type { ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import { parseEventJson } from "../../../shared/sse/index.ts";
import { UpstreamError } from "../errors.ts";
import { JSON_TOOL } from "../json-tool.ts";
import type { ResponseContext, SseEvent, StreamTranslator } from "../types.ts";
import { type AnthropicUsage, anthropicFinishReason, anthropicPromptTokens } from "./chat.ts";

/** A translator for one Anthropic stream. */
export function anthropicStream(ctx: ResponseContext): StreamTranslator {
  let stopped = false;
  let complete = false;
  let prompt = 0;
  let completion = 0;
  /** Content block index → OpenAI tool call index. */
  const toolIndex = new Map<number, number>();
  /** The content block of JSON mode's forced tool, whose input streams as content. */
  let jsonBlock: number | null = null;
  const chunk = singleChoiceChunks(ctx);
  return {
    get complete() {
      return complete;
    },
    get usage(): Usage | undefined {
      return stopped ? usageOf(prompt, completion) : undefined;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      const data = parseEventJson(event) as {
        type?: string;
        index?: number;
        message?: { usage?: AnthropicUsage };
        content_block?: { type: string; id?: string; name?: string };
        delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
        usage?: AnthropicUsage;
        error?: { type?: string; message?: string };
      };
      switch (data.type ?? event.event) {
        case "message_start":
          prompt = anthropicPromptTokens(data.message?.usage);
          completion = data.message?.usage?.output_tokens ?? 0;
          return chunk({ role: "assistant", content: "" });
        case "content_block_start": {
          const block = data.content_block;
          if (block?.type !== "tool_use") return [];
          if (block.name === JSON_TOOL) {
            jsonBlock = data.index ?? 0;
            return [];
          }
          const index = toolIndex.size;
          toolIndex.set(data.index ?? 0, index);
          return chunk({
            tool_calls: [
              {
                index,
                id: block.id,
                type: "function",
                function: { name: block.name, arguments: "" },
              },
            ],
          });
        }
        case "content_block_delta": {
          if (data.delta?.type === "text_delta") return chunk({ content: data.delta.text ?? "" });
          if (data.delta?.type === "input_json_delta" && (data.index ?? 0) === jsonBlock) {
            return chunk({ content: data.delta.partial_json ?? "" });
          }
          if (data.delta?.type === "input_json_delta") {
            const index = toolIndex.get(data.index ?? 0) ?? 0;
            return chunk({
              tool_calls: [{ index, function: { arguments: data.delta.partial_json ?? "" } }],
            });
          }
          return [];
        }
        case "message_delta": {
          if (data.usage?.output_tokens !== undefined) completion = data.usage.output_tokens;
          if (!data.delta?.stop_reason) return [];
          stopped = true;
          const jsonDone = jsonBlock !== null && data.delta.stop_reason === "tool_use";
          return chunk({}, jsonDone ? "stop" : anthropicFinishReason(data.delta.stop_reason));
        }
        case "message_stop":
          complete = stopped;
          return [];
        case "error":
          throw new UpstreamError("anthropic", "stream", data.error?.message ?? "stream error", {
            code: "upstream_stream_error",
          });
        default:
          return [];
      }
    },
  };
}
