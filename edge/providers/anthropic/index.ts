/** Anthropic's Messages API: chat and models; no embeddings (a 400 naming the capability). */
import type { ProviderConfig } from "../types.ts";
import { anthropicChatRequest, anthropicChatResponse } from "./chat.ts";
import { anthropicStream } from "./stream.ts";

export const anthropic: ProviderConfig = {
  name: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com",
  chat: { request: anthropicChatRequest, response: anthropicChatResponse, stream: anthropicStream },
  models: {
    request: (credentials) => ({
      url: `${credentials.baseUrl}/v1/models`,
      method: "GET",
      headers: { "x-api-key": credentials.apiKey, "anthropic-version": "2023-06-01" },
    }),
    response: (raw) => ((raw as { data?: { id: string }[] }).data ?? []).map((m) => m.id),
  },
  errorMessage(raw) {
    const body = (raw ?? {}) as { error?: { type?: string; message?: string } };
    return { message: body.error?.message ?? "upstream error", code: body.error?.type ?? null };
  },
};
