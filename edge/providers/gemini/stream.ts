/**
 * Gemini SSE responses (`alt=sse`) → OpenAI chunks. Complete once every candidate seen carries
 * a finishReason; an `{"error":…}` event is an in-band failure.
 */

import { chatChunk } from "../../../shared/api/openai-shapes.ts";
import type { ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import { parseEventJson } from "../../../shared/sse/index.ts";
import { UpstreamError } from "../errors.ts";
import type { ResponseContext, SseEvent, StreamTranslator } from "../types.ts";
import { candidateChunks, type GeminiCandidate, type GeminiUsage, geminiUsage } from "./chat.ts";

/** A translator for one Gemini-format stream of `provider` (who an in-band error is from). */
export function geminiStream(ctx: ResponseContext, provider = "gemini"): StreamTranslator {
  let usage: Usage | undefined;
  let started = false;
  const open = new Set<number>();
  const finished = new Set<number>();
  const toolCounter = { next: 0 };
  return {
    get complete() {
      return finished.size > 0 && [...open].every((i) => finished.has(i));
    },
    get usage() {
      return usage;
    },
    push(event: SseEvent): ChatCompletionChunk[] {
      const data = parseEventJson(event) as {
        error?: { message?: string; status?: string };
        candidates?: GeminiCandidate[];
        usageMetadata?: GeminiUsage;
      };
      if (data.error) {
        throw new UpstreamError(provider, "stream", data.error.message ?? "stream error", {
          code: "upstream_stream_error",
        });
      }
      if (data.usageMetadata) usage = geminiUsage(data.usageMetadata);
      const candidates = data.candidates ?? [];
      for (const [i, c] of candidates.entries()) {
        open.add(c.index ?? i);
        if (c.finishReason) finished.add(c.index ?? i);
      }
      const choices = candidateChunks(candidates, ctx, toolCounter);
      if (!started && choices.length > 0) {
        started = true;
        for (const choice of choices) choice.delta = { role: "assistant", ...choice.delta };
      }
      return choices.length === 0 ? [] : [chatChunk(ctx, choices)];
    },
  };
}
