/** Cohere's v2 API: chat, embeddings, models. */
import type { ProviderConfig } from "../types.ts";
import { cohereChatRequest, cohereChatResponse } from "./chat.ts";
import { cohereEmbeddings } from "./embeddings.ts";
import { cohereStream } from "./stream.ts";

export const cohere: ProviderConfig = {
  name: "cohere",
  defaultBaseUrl: "https://api.cohere.com",
  chat: { request: cohereChatRequest, response: cohereChatResponse, stream: cohereStream },
  embeddings: cohereEmbeddings,
  models: {
    request: (credentials) => ({
      url: `${credentials.baseUrl}/v1/models`,
      method: "GET",
      headers: { authorization: `Bearer ${credentials.apiKey}` },
    }),
    response: (raw) => ((raw as { models?: { name: string }[] }).models ?? []).map((m) => m.name),
  },
  errorMessage(raw) {
    const body = (raw ?? {}) as { message?: string };
    return { message: body.message ?? "upstream error" };
  },
};
