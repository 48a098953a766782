/** Google's Gemini API (generativelanguage v1beta): chat, embeddings, models. */

import { capabilityError } from "../errors.ts";
import type { ProviderConfig } from "../types.ts";
import { geminiChatRequest, geminiChatResponse, geminiResolveImages } from "./chat.ts";
import { geminiStream } from "./stream.ts";

export const gemini: ProviderConfig = {
  name: "gemini",
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  chat: {
    resolve: geminiResolveImages,
    request: geminiChatRequest,
    response: geminiChatResponse,
    stream: geminiStream,
  },
  embeddings: {
    request(req, target) {
      const texts = typeof req.input === "string" ? [req.input] : req.input;
      if (texts.some((t) => typeof t !== "string")) {
        throw capabilityError("gemini", "token-array embedding input");
      }
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
  errorMessage(raw) {
    const body = (raw ?? {}) as { error?: { message?: string; status?: string } };
    return { message: body.error?.message ?? "upstream error", code: body.error?.status ?? null };
  },
};
