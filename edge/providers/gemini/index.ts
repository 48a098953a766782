/** Google's Gemini API (generativelanguage v1beta): chat, embeddings, models. */

import type { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import { capabilityError } from "../errors.ts";
import type { ChatAdapter, ProviderConfig } from "../types.ts";
import {
  createGeminiChatRequest,
  type GeminiEndpoint,
  geminiChatResponse,
  geminiResolveImages,
} from "./chat.ts";
import { geminiStream } from "./stream.ts";

/**
 * The chat adapter of a provider speaking Gemini's `generateContent` format (Gemini, Vertex AI)
 * at `endpoint`; `provider` names it in refusals and in-band stream errors.
 */
export function createGeminiChat(provider: string, endpoint: GeminiEndpoint): ChatAdapter {
  return {
    resolve: geminiResolveImages,
    request: createGeminiChatRequest(provider, endpoint),
    response: geminiChatResponse,
    stream: (ctx) => geminiStream(ctx, provider),
  };
}

/** An embeddings request's texts; Google's APIs take no token arrays. */
export function embeddingTexts(req: EmbeddingRequest, provider: string): string[] {
  const texts = typeof req.input === "string" ? [req.input] : req.input;
  if (texts.some((t) => typeof t !== "string")) {
    throw capabilityError(provider, "token-array embedding input");
  }
  return texts as string[];
}

/** Google's error body `{"error":{"code","message","status"}}`: its message and status. */
export function googleErrorMessage(raw: unknown): { message: string; code: string | null } {
  const body = (raw ?? {}) as { error?: { message?: string; status?: string } };
  return { message: body.error?.message ?? "upstream error", code: body.error?.status ?? null };
}

export const gemini: ProviderConfig = {
  name: "gemini",
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  chat: createGeminiChat("gemini", (target, method) => ({
    url: `${target.baseUrl}/v1beta/models/${encodeURIComponent(target.model)}:${method}`,
    headers: { "x-goog-api-key": target.apiKey },
  })),
  embeddings: {
    request(req, target) {
      const texts = embeddingTexts(req, "gemini");
      const model = `models/${target.model}`;
      return {
        url: `${target.baseUrl}/v1beta/${model}:batchEmbedContents`,
        method: "POST",
        headers: { "x-goog-api-key": target.apiKey },
        body: {
          requests: texts.map((t) => ({
            model,
            content: { parts: [{ text: t }] },
            ...(req.dimensions ? { outputDimensionality: req.dimensions } : {}),
          })),
        },
      };
    },
    response(raw) {
      const body = raw as { embeddings?: { values?: number[] }[] };
      // Gemini reports no token usage for embeddings.
      return { vectors: (body.embeddings ?? []).map((e) => e.values ?? []), promptTokens: 0 };
    },
  },
  models: {
    request: (credentials) => ({
      url: `${credentials.baseUrl}/v1beta/models`,
      method: "GET",
      headers: { "x-goog-api-key": credentials.apiKey },
    }),
    response: (raw) =>
      ((raw as { models?: { name: string }[] }).models ?? []).map((m) =>
        m.name.replace(/^models\//, ""),
      ),
  },
  errorMessage: googleErrorMessage,
};
