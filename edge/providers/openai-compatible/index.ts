/**
 * The base every OpenAI-compatible provider builds on: give it a name, a base URL and the
 * dialect's differences, get a full {@link ProviderConfig}.
 */
import type { ProviderConfig } from "../types.ts";
import { type ChatDialect, openAiCompatibleChat } from "./chat.ts";
import { openAiCompatibleCompletions } from "./completions.ts";
import {
  type EmbeddingsDialect,
  openAiCompatibleEmbeddings,
  openAiCompatibleModels,
} from "./embeddings.ts";
import type { Endpoint } from "./endpoint.ts";
import { openAiErrorMessage } from "./errors.ts";

/** What an OpenAI-compatible provider declares. */
export interface OpenAiCompatibleOptions {
  name: ProviderConfig["name"];
  defaultBaseUrl: string;
  chat?: Omit<ChatDialect, "provider">;
  /** The embeddings dialect, or `false` when the provider has no embeddings route. */
  embeddings?: EmbeddingsDialect | false;
  /** Whether the legacy `/v1/completions` endpoint exists (default false). */
  legacyCompletions?: boolean;
  /** Where routes are and how to authenticate (default OpenAI's `/v1/…` with a bearer key). */
  endpoint?: Endpoint;
  /** Whether `GET /v1/models` lists what the provider serves (default true). */
  listsModels?: boolean;
}

/** Assembles an OpenAI-compatible provider. */
export function createOpenAiCompatibleProvider(options: OpenAiCompatibleOptions): ProviderConfig {
  return {
    name: options.name,
    defaultBaseUrl: options.defaultBaseUrl,
    chat: openAiCompatibleChat({
      provider: options.name,
      endpoint: options.endpoint,
      ...options.chat,
    }),
    ...(options.legacyCompletions
      ? { completions: openAiCompatibleCompletions(options.name) }
      : {}),
    ...(options.embeddings === false
      ? {}
      : {
          embeddings: openAiCompatibleEmbeddings({
            endpoint: options.endpoint,
            ...options.embeddings,
          }),
        }),
    ...(options.listsModels === false ? {} : { models: openAiCompatibleModels(options.endpoint) }),
    errorMessage: openAiErrorMessage,
  };
}
