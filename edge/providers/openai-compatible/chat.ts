/**
 * Chat in OpenAI's own format: the request passes through (with the upstream model name), the
 * response and chunks are re-stamped with the gateway's id and model. Hooks let dialects
 * (Mistral, …) rename fields and finish reasons.
 */

import {
  assistantChoice,
  chatChunk,
  chatCompletion,
  usageOf,
} from "../../../shared/api/openai-shapes.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from "../../../shared/api/schemas/chat.ts";
import type { FinishReason, Usage } from "../../../shared/api/schemas/common.ts";
import { parseEventJson } from "../../../shared/sse/index.ts";
import { UpstreamError } from "../errors.ts";
import type {
  ChatAdapter,
  ResponseContext,
  StreamTranslator,
  Target,
  UpstreamCall,
} from "../types.ts";
import { bearerEndpoint, type Endpoint } from "./endpoint.ts";
import { openAiErrorMessage } from "./errors.ts";
import { doneTerminatedStream } from "./stream.ts";

/** How a dialect differs from OpenAI's chat. */
export interface ChatDialect {
  provider: string;
  /** Rewrites the JSON body sent upstream (rename, drop, or throw a capability error). */
  body?(body: Record<string, unknown>, req: ChatCompletionRequest): Record<string, unknown>;
  /** Maps the provider's finish reason; `"error"` marks an in-band failure. */
  finishReason?(reason: string): string;
  /** Whether `stream_options.include_usage` is understood (default true). */
  streamOptions?: boolean;
  /** Where the route is and how to authenticate (default OpenAI's). */
  endpoint?: Endpoint;
}

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

interface WireChoice {
  index?: number;
  message?: {
    content?: unknown;
    tool_calls?: ChatCompletion["choices"][number]["message"]["tool_calls"];
  };
  delta?: ChatCompletionChunk["choices"][number]["delta"] & { content?: unknown };
  finish_reason?: string | null;
}

const knownReasons = new Set(["stop", "length", "tool_calls", "content_filter"]);

function toUsage(usage: WireUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.total_tokens ?? prompt + completion,
  };
}

function textOf(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p?.text === "string" ? p.text : "")).join("");
  }
  return null;
}

/** Builds the chat adapter of an OpenAI-compatible provider. */
export function openAiCompatibleChat(dialect: ChatDialect): ChatAdapter {
  const mapReason = (reason: string): FinishReason | "error" => {
    const mapped = dialect.finishReason?.(reason) ?? reason;
    return mapped === "error"
      ? "error"
      : knownReasons.has(mapped)
        ? (mapped as FinishReason)
        : "stop";
  };
  const inBandError = (message: string) =>
    new UpstreamError(dialect.provider, "stream", message, { code: "upstream_stream_error" });

  return {
    request(req: ChatCompletionRequest, target: Target): UpstreamCall {
      // Usage is always asked for when streaming (the gateway meters it); OpenAI refuses
      // stream_options on a request that does not stream.
      const { stream_options: _, ...rest } = req;
      let body: Record<string, unknown> = { ...rest, model: target.model };
      if (req.stream && dialect.streamOptions !== false)
        body.stream_options = { include_usage: true };
      if (dialect.body) body = dialect.body(body, req);
      return {
        ...(dialect.endpoint ?? bearerEndpoint)(target, "chat/completions", target.model),
        method: "POST",
        body,
      };
    },

    response(raw: unknown, ctx: ResponseContext): ChatCompletion {
      const body = raw as { choices?: WireChoice[]; usage?: WireUsage };
      const choices = (body.choices ?? []).map((choice, i) => {
        const reason = mapReason(choice.finish_reason ?? "stop");
        if (reason === "error")
          throw inBandError("the provider ended the completion with an error");
        const content = textOf(choice.message?.content);
        return assistantChoice(choice.index ?? i, content, choice.message?.tool_calls, reason);
      });
      return chatCompletion(ctx, choices, toUsage(body.usage) ?? usageOf(0, 0));
    },

    stream(ctx: ResponseContext): StreamTranslator {
      return doneTerminatedStream((event) => {
        const data = parseEventJson(event) as {
          error?: unknown;
          detail?: unknown;
          choices?: WireChoice[];
          usage?: WireUsage | null;
        };
        // OpenAI's in-band `{"error": …}`, or FastAPI's `{"detail": …}` (AI21).
        if (data.error || data.detail !== undefined) {
          throw inBandError(openAiErrorMessage(data).message);
        }
        let finished = false;
        const choices: ChatCompletionChunk["choices"] = [];
        for (const [i, choice] of (data.choices ?? []).entries()) {
          const raw = choice.finish_reason ?? null;
          const reason = raw === null ? null : mapReason(raw);
          if (reason === "error") throw inBandError("the provider ended the stream with an error");
          if (reason) finished = true;
          const delta = choice.delta ?? {};
          const content = textOf(delta.content);
          choices.push({
            index: choice.index ?? i,
            delta: {
              ...(delta.role ? { role: "assistant" as const } : {}),
              ...(content !== null ? { content } : {}),
              ...(delta.tool_calls ? { tool_calls: delta.tool_calls } : {}),
            },
            finish_reason: reason,
          });
        }
        return {
          chunks: choices.length === 0 ? [] : [chatChunk(ctx, choices)],
          finished,
          usage: toUsage(data.usage ?? undefined),
        };
      });
    },
  };
}
