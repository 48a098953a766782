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
import { openAiErrorMessage } from "./errors.ts";

/** What an OpenAI-compatible provider declares. */
export interface OpenAiCompatibleOptions {
  name: ProviderConfig["name"];
  defaultBaseUrl: string;
  chat?: Omit<ChatDialect, "provider">;
  embeddings?: EmbeddingsDialect;
  /** Whether the legacy `/v1/completions` endpoint exists (default false). */
  legacyCompletions?: boolean;
}

/** Assembles an OpenAI-compatible provider. */
export function createOpenAiCompatibleProvider(options: OpenAiCompatibleOptions): ProviderConfig {
  return {
    name: options.name,
    defaultBaseUrl: options.defaultBaseUrl,
    chat: openAiCompatibleChat({ provider: options.name, ...options.chat }),
    ...(options.legacyCompletions
      ? { completions: openAiCompatibleCompletions(options.name) }
      : {}),
    embeddings: openAiCompatibleEmbeddings(options.embeddings),
    models: openAiCompatibleModels,
    errorMessage: openAiErrorMessage,
  };
}
