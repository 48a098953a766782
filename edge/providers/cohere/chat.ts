/**
 * OpenAI chat ↔ Cohere v2 chat (`POST /v2/chat`): messages keep their roles (developer becomes
 * system), `top_p` is `p`, `stop` is `stop_sequences`, finish reasons are upper-case and
 * `ERROR` / `TIMEOUT` are failures.
 */

import {
  assistantChoice,
  chatCompletion,
  messageText as text,
  usageOf,
} from "../../../shared/api/openai-shapes.ts";
import {
  type ChatCompletion,
  type ChatCompletionRequest,
  imagePartsOf,
} from "../../../shared/api/schemas/chat.ts";
import type { FinishReason, Usage } from "../../../shared/api/schemas/common.ts";
import { capabilityError, UpstreamError } from "../errors.ts";
import type { ResponseContext, Target, UpstreamCall } from "../types.ts";

/** Cohere's finish reasons in OpenAI's terms; `"error"` for a failed generation. */
export function cohereFinishReason(reason: string | undefined): FinishReason | "error" {
  switch (reason) {
    case "MAX_TOKENS":
      return "length";
    case "TOOL_CALL":
      return "tool_calls";
    case "ERROR":
    case "TIMEOUT":
      return "error";
    default:
      return "stop";
  }
}

/** Cohere's usage in OpenAI's terms (tokens, else billed units). */
export function cohereUsage(usage: CohereUsage | undefined): Usage {
  const counts = usage?.tokens ?? usage?.billed_units;
  return usageOf(counts?.input_tokens ?? 0, counts?.output_tokens ?? 0);
}

/** Cohere's usage fields. */
export interface CohereUsage {
  tokens?: { input_tokens?: number; output_tokens?: number };
  billed_units?: { input_tokens?: number; output_tokens?: number };
}

/** The error a Cohere `ERROR` / `TIMEOUT` finish becomes. */
export const cohereGenerationFailed = () =>
  new UpstreamError("cohere", "stream", "the generation ended with finish_reason ERROR", {
    code: "upstream_stream_error",
  });

/** The v2 chat request for an OpenAI chat request. */
export function cohereChatRequest(req: ChatCompletionRequest, target: Target): UpstreamCall {
  if ((req.n ?? 1) > 1) throw capabilityError("cohere", "n > 1");
  if (req.logprobs) throw capabilityError("cohere", "logprobs");
  if (imagePartsOf(req.messages).length > 0) throw capabilityError("cohere", "image input");
  const messages = req.messages.map((m) => {
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", content: text(m.content) };
      case "user":
        return { role: "user", content: text(m.content) };
      case "tool":
        return { role: "tool", tool_call_id: m.tool_call_id, content: text(m.content) };
      default:
        return {
          role: "assistant",
          ...(text(m.content) ? { content: text(m.content) } : {}),
          ...(m.tool_calls?.length ? { tool_calls: m.tool_calls } : {}),
        };
    }
  });
  const choice = req.tool_choice;
  const named = typeof choice === "object" && choice ? choice.function.name : undefined;
  const tools =
    choice === "none" ? [] : (req.tools ?? []).filter((t) => !named || t.function.name === named);
  const format = req.response_format;
  const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  const body: Record<string, unknown> = {
    model: target.model,
    messages,
    ...(req.stream ? { stream: true } : {}),
    ...(req.max_completion_tokens || req.max_tokens
      ? { max_tokens: req.max_completion_tokens ?? req.max_tokens }
      : {}),
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { p: req.top_p } : {}),
    ...(req.seed != null ? { seed: req.seed } : {}),
    ...(stop?.length ? { stop_sequences: stop } : {}),
    ...(req.frequency_penalty != null ? { frequency_penalty: req.frequency_penalty } : {}),
    ...(req.presence_penalty != null ? { presence_penalty: req.presence_penalty } : {}),
    ...(tools?.length ? { tools } : {}),
    // Cohere cannot name a tool: naming one keeps only that tool and requires a call.
    ...(req.tool_choice === "required" || named ? { tool_choice: "REQUIRED" } : {}),
    ...(format?.type === "json_object" ? { response_format: { type: "json_object" } } : {}),
    ...(format?.type === "json_schema"
      ? { response_format: { type: "json_object", json_schema: format.json_schema.schema ?? {} } }
      : {}),
  };
  return {
    url: `${target.baseUrl}/v2/chat`,
    method: "POST",
    headers: { authorization: `Bearer ${target.apiKey}` },
    body,
  };
}

interface WireResponse {
  finish_reason?: string;
  message?: {
    content?: { type: string; text?: string }[];
    tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
  };
  usage?: CohereUsage;
}

/** The OpenAI completion for a v2 chat response. */
export function cohereChatResponse(raw: unknown, ctx: ResponseContext): ChatCompletion {
  const body = raw as WireResponse;
  const reason = cohereFinishReason(body.finish_reason);
  if (reason === "error") throw cohereGenerationFailed();
  const said = (body.message?.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text ?? "");
  const toolCalls = (body.message?.tool_calls ?? []).map((c) => ({
    id: c.id ?? "",
    type: "function" as const,
    function: { name: c.function?.name ?? "", arguments: c.function?.arguments ?? "{}" },
  }));
  return chatCompletion(
    ctx,
    [assistantChoice(0, said.length > 0 ? said.join("") : null, toolCalls, reason)],
    cohereUsage(body.usage),
  );
}
