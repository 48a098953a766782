/**
 * Where an OpenAI-compatible route lives and how a call authenticates: OpenAI's
 * `<base>/v1/<route>` with a bearer key, unless a provider says otherwise (Azure OpenAI: a
 * deployment's path, an `api-version` and an `api-key` header).
 */
import type { ProviderCredentials } from "../types.ts";

/** The routes of the OpenAI format the gateway calls. */
export type OpenAiRoute = "chat/completions" | "completions" | "embeddings" | "models";

/** The URL and headers of `route` for `model` (absent for `models`). */
export type Endpoint = (
  credentials: ProviderCredentials,
  route: OpenAiRoute,
  model?: string,
) => { url: string; headers: Record<string, string> };

/** OpenAI's own: `<base>/v1/<route>`, `Authorization: Bearer <key>`. */
export const bearerEndpoint: Endpoint = ({ baseUrl, apiKey }, route) => ({
  url: `${baseUrl}/v1/${route}`,
  headers: { authorization: `Bearer ${apiKey}` },
});
