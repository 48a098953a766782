/**
 * Google's Gemini models on Vertex AI (`vertex/<model>`): Gemini's `generateContent` bodies on
 * `<base>/publishers/google/models/<model>:generateContent` (and
 * `:streamGenerateContent?alt=sse`), where the base is the key's project in a location
 * (service-account.ts); every call carries a service account's OAuth access token (token.ts).
 * Embeddings through `:predict`; models are not listed (Model Garden's list is not the models
 * a project may call).
 */
import { createGeminiChat, embeddingTexts, googleErrorMessage } from "../gemini/index.ts";
import type { ProviderConfig, Target } from "../types.ts";
import { parseServiceAccount, vertexBaseUrl } from "./service-account.ts";
import { accessToken } from "./token.ts";

/** The URL of `method` on `target`'s publisher model (`publishers/google/models/<model>`). */
function modelUrl(target: Target, method: string): string {
  const { project_id } = parseServiceAccount(target.apiKey);
  const model = encodeURIComponent(target.model);
  return `${vertexBaseUrl(target.baseUrl, project_id)}/publishers/google/models/${model}:${method}`;
}

export const vertex: ProviderConfig = {
  name: "vertex",
  // Google's host: the location (default us-central1) picks the regional one.
  defaultBaseUrl: "https://aiplatform.googleapis.com",
  // The access token comes with `authorize`, so no key header here.
  chat: createGeminiChat("vertex", (target, method) => ({
    url: modelUrl(target, method),
    headers: {},
  })),
  embeddings: {
    request(req, target) {
      const texts = embeddingTexts(req, "vertex");
      return {
        url: modelUrl(target, "predict"),
        method: "POST",
        headers: {},
        body: {
          instances: texts.map((content) => ({ content })),
          ...(req.dimensions ? { parameters: { outputDimensionality: req.dimensions } } : {}),
        },
      };
    },
    response(raw) {
      const body = raw as {
        predictions?: {
          embeddings?: { values?: number[]; statistics?: { token_count?: number } };
        }[];
      };
      const predictions = body.predictions ?? [];
      return {
        vectors: predictions.map((p) => p.embeddings?.values ?? []),
        promptTokens: predictions.reduce(
          (n, p) => n + (p.embeddings?.statistics?.token_count ?? 0),
          0,
        ),
      };
    },
  },
  async authorize(_call, credentials, deps) {
    const token = await accessToken(parseServiceAccount(credentials.apiKey), deps);
    return { authorization: `Bearer ${token}` };
  },
  errorMessage: googleErrorMessage,
};
