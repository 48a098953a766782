/**
 * OpenAI-compatible providers as data: a name, the base URL their `/v1/...` routes hang off,
 * and (by convention) the `<NAME>_API_KEY` / `<NAME>_BASE_URL` vars that configure them. They
 * speak OpenAI's wire format as it is, so the OpenAI-compatible base serves them unchanged.
 */
import { createOpenAiCompatibleProvider } from "./openai-compatible/index.ts";
import type { ProviderConfig } from "./types.ts";

export const presetBaseUrls = {
  groq: "https://api.groq.com/openai",
  together: "https://api.together.xyz",
  fireworks: "https://api.fireworks.ai/inference",
  deepseek: "https://api.deepseek.com",
  openrouter: "https://openrouter.ai/api",
} as const;

export type PresetName = keyof typeof presetBaseUrls;

/** Each preset as a provider. */
export const presetProviders = Object.fromEntries(
  Object.entries(presetBaseUrls).map(([name, defaultBaseUrl]) => [
    name,
    createOpenAiCompatibleProvider({ name: name as PresetName, defaultBaseUrl }),
  ]),
) as Record<PresetName, ProviderConfig>;
