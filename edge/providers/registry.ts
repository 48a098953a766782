/** Every provider the edge can route to, by name. */
import { anthropic } from "./anthropic/index.ts";
import { cohere } from "./cohere/index.ts";
import { gemini } from "./gemini/index.ts";
import { mistral } from "./mistral/index.ts";
import { openai } from "./openai/index.ts";
import type { ProviderConfig, ProviderName } from "./types.ts";

export const providers: Record<ProviderName, ProviderConfig> = {
  openai,
  anthropic,
  cohere,
  mistral,
  gemini,
};

/** True when `name` is a provider the edge knows. */
export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(providers, name);
}
