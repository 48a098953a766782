/**
 * Cohere v2 stream events → OpenAI chunks. Complete only on `message-end` with a finish
 * reason other than `ERROR` / `TIMEOUT` (Cohere reports in-band failures that way).
 */

import { singleChoiceChunks } from "../../../shared/api/openai-shapes.ts";
import type { ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import { parseEventJson } from "../../../shared/sse/index.ts";
import type { ResponseContext, SseEvent, StreamTranslator } from "../types.ts";
import {
  type CohereUsage,
  cohereFinishReason,
  cohereGenerationFailed,
  cohereUsage,
} from "./chat.ts";

/** A translator for one Cohere stream. */
export function cohereStream(ctx: ResponseContext): StreamTranslator {
  let complete = false;
  let usage: Usage | undefined;
  let tools = -1;
  const chunk = singleChoiceChunks(ctx);
  return {
    get complete() {
      return complete;
    },
    get usage() {
      return usage;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      if (event.data === "[DONE]") return [];
      const data = parseEventJson(event) as {
        type?: string;
        delta?: {
          finish_reason?: string;
          usage?: CohereUsage;
          message?: {
            content?: { text?: string };
            tool_calls?: { id?: string; function?: { name?: string; arguments?: string } };
          };
        };
      };
      const message = data.delta?.message;
      switch (data.type ?? event.event) {
        case "message-start":
          return chunk({ role: "assistant", content: "" });
        case "content-delta":
          return chunk({ content: message?.content?.text ?? "" });
        case "tool-call-start": {
          tools += 1;
          const call = message?.tool_calls;
          return chunk({
            tool_calls: [
              {
                index: tools,
                id: call?.id,
                type: "function",
                function: {
                  name: call?.function?.name,
                  arguments: call?.function?.arguments ?? "",
                },
              },
            ],
          });
        }
        case "tool-call-delta":
          return chunk({
            tool_calls: [
              {
                index: Math.max(tools, 0),
                function: { arguments: message?.tool_calls?.function?.arguments ?? "" },
              },
            ],
          });
        case "message-end": {
          const reason = cohereFinishReason(data.delta?.finish_reason);
          if (reason === "error") throw cohereGenerationFailed();
          usage = cohereUsage(data.delta?.usage);
          complete = true;
          return chunk({}, reason);
        }
        default:
          return [];
      }
    },
  };
}
