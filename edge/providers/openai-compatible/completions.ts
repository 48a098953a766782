/**
 * Legacy text completions in OpenAI's format (`/v1/completions`): passed through, re-stamped
 * with the gateway's id and model; a stream is complete on a finish_reason then `[DONE]`.
 */

import { textCompletion, usageOf } from "../../../shared/api/openai-shapes.ts";
import type { FinishReason, Usage } from "../../../shared/api/schemas/common.ts";
import type { Completion, CompletionRequest } from "../../../shared/api/schemas/completions.ts";
import { parseEventJson } from "../../../shared/sse/index.ts";
import { UpstreamError } from "../errors.ts";
import type { CompletionsAdapter, ResponseContext, Target } from "../types.ts";
import { doneTerminatedStream } from "./stream.ts";

interface WireChoice {
  index?: number;
  text?: string;
  finish_reason?: string | null;
}
interface WireCompletion {
  choices?: WireChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  error?: { message?: string };
}

const reasons = new Set(["stop", "length", "content_filter"]);
const reason = (r: string): FinishReason => (reasons.has(r) ? (r as FinishReason) : "stop");

function completionUsage(body: WireCompletion): Usage | undefined {
  if (!body.usage) return undefined;
  return usageOf(body.usage.prompt_tokens ?? 0, body.usage.completion_tokens ?? 0);
}

function restamp(body: WireCompletion, ctx: ResponseContext, final: boolean): Completion {
  const usage = completionUsage(body);
  const choices = (body.choices ?? []).map((c, i) => ({
    index: c.index ?? i,
    text: c.text ?? "",
    logprobs: null,
    // Chunks carry null until the last; the schema's type has no null, the wire does.
    finish_reason: (c.finish_reason
      ? reason(c.finish_reason)
      : final
        ? "stop"
        : null) as FinishReason,
  }));
  return textCompletion(ctx, choices, usage);
}

/** Builds the legacy completions adapter of an OpenAI-compatible provider. */
export function openAiCompatibleCompletions(provider: string): CompletionsAdapter {
  return {
    request(req: CompletionRequest, target: Target) {
      return {
        url: `${target.baseUrl}/v1/completions`,
        method: "POST",
        headers: { authorization: `Bearer ${target.apiKey}` },
        body: {
          ...req,
          model: target.model,
          ...(req.stream ? { stream_options: { include_usage: true } } : {}),
        },
      };
    },
    response: (raw, ctx) => restamp(raw as WireCompletion, ctx, true),
    stream(ctx) {
      return doneTerminatedStream((event) => {
        const body = parseEventJson(event) as WireCompletion;
        if (body.error) {
          throw new UpstreamError(provider, "stream", body.error.message ?? "stream error", {
            code: "upstream_stream_error",
          });
        }
        const usage = completionUsage(body);
        if (!body.choices?.length) return { chunks: [], finished: false, usage };
        const { usage: _, ...chunk } = restamp(body, ctx, false);
        return { chunks: [chunk], finished: body.choices.some((c) => c.finish_reason), usage };
      });
    },
  };
}
