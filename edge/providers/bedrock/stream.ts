/**
 * ConverseStream events → OpenAI chunks. `messageStop` carries the stop reason and `metadata`,
 * which ConverseStream always sends after it, the usage: the stream is complete only once both
 * came (as Anthropic's is only at `message_stop`). An exception event (`throttlingException`,
 * `modelStreamErrorException`, …) is an in-band failure.
 */

import { singleChoiceChunks } from "../../../shared/api/openai-shapes.ts";
import type { ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import { parseEventJson } from "../../../shared/sse/index.ts";
import { UpstreamError } from "../errors.ts";
import { JSON_TOOL } from "../json-tool.ts";
import type { ResponseContext, SseEvent, StreamTranslator } from "../types.ts";
import { type BedrockUsage, bedrockFinishReason, bedrockUsage } from "./chat.ts";

/** The fields of ConverseStream's events the translator reads. */
interface StreamEventData {
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: { text?: string; toolUse?: { input?: string } };
  stopReason?: string;
  usage?: BedrockUsage;
  message?: string;
}

/** A translator for one ConverseStream answer. */
export function bedrockStream(ctx: ResponseContext): StreamTranslator {
  let stopped = false;
  let usage: Usage | undefined;
  /** Content block index → OpenAI tool call index. */
  const toolIndex = new Map<number, number>();
  /** The content block of JSON mode's forced tool, whose input streams as content. */
  let jsonBlock: number | null = null;
  const chunk = singleChoiceChunks(ctx);
  return {
    get complete() {
      return stopped && usage !== undefined;
    },
    get usage() {
      return usage;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      const name = event.event ?? "";
      const data = parseEventJson(event) as StreamEventData;
      const index = data.contentBlockIndex ?? 0;
      switch (name) {
        case "messageStart":
          return chunk({ role: "assistant", content: "" });
        case "contentBlockStart": {
          const tool = data.start?.toolUse;
          if (!tool) return [];
          if (tool.name === JSON_TOOL) {
            jsonBlock = index;
            return [];
          }
          const at = toolIndex.size;
          toolIndex.set(index, at);
          return chunk({
            tool_calls: [
              {
                index: at,
                id: tool.toolUseId,
                type: "function",
                function: { name: tool.name, arguments: "" },
              },
            ],
          });
        }
        case "contentBlockDelta": {
          const delta = data.delta;
          if (typeof delta?.text === "string") return chunk({ content: delta.text });
          const input = delta?.toolUse?.input;
          if (input === undefined) return []; // reasoning and the like: not part of the answer
          if (index === jsonBlock) return chunk({ content: input });
          return chunk({
            tool_calls: [{ index: toolIndex.get(index) ?? 0, function: { arguments: input } }],
          });
        }
        case "messageStop": {
          stopped = true;
          const jsonDone = jsonBlock !== null && data.stopReason === "tool_use";
          return chunk({}, jsonDone ? "stop" : bedrockFinishReason(data.stopReason));
        }
        case "metadata":
          usage = bedrockUsage(data.usage);
          return [];
        default:
          if (name.endsWith("Exception")) {
            throw new UpstreamError(
              "bedrock",
              "stream",
              `${name}: ${data.message ?? "stream error"}`,
              {
                code: "upstream_stream_error",
              },
            );
          }
          return []; // contentBlockStop, and events newer than this translator
      }
    },
  };
}
