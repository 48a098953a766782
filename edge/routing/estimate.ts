/**
 * Rough request sizes for cheapest-first routing and context checks: about four characters a
 * token, the requested output cap (or a default) for the completion.
 */
import type { ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import type { CompletionRequest } from "../../shared/api/schemas/completions.ts";
import type { EmbeddingRequest } from "../../shared/api/schemas/embeddings.ts";
import type { RequestEstimate } from "./backoff.ts";

/** Assumed output when a request sets no cap. */
export const DEFAULT_MAX_TOKENS = 1024;

const tokensOf = (text: string) => Math.ceil(text.length / 4);

export function estimateChat(req: ChatCompletionRequest): RequestEstimate {
  const text = req.messages
    .map((m) =>
      typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
    )
    .join("\n");
  return {
    promptTokens: tokensOf(text),
    maxTokens: (req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS) * (req.n ?? 1),
  };
}

export function estimateCompletion(req: CompletionRequest): RequestEstimate {
  const prompt = typeof req.prompt === "string" ? req.prompt : req.prompt.join("\n");
  return { promptTokens: tokensOf(prompt), maxTokens: req.max_tokens ?? DEFAULT_MAX_TOKENS };
}

export function estimateEmbeddings(req: EmbeddingRequest): RequestEstimate {
  const input = req.input;
  const promptTokens =
    typeof input === "string"
      ? tokensOf(input)
      : input.reduce<number>(
          (sum, item) =>
            sum +
            (typeof item === "string" ? tokensOf(item) : Array.isArray(item) ? item.length : 1),
          0,
        );
  return { promptTokens, maxTokens: 0 };
}
