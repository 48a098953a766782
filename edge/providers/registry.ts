/** Every provider the edge can route to, by name. */
import { ai21 } from "./ai21/index.ts";
import { anthropic } from "./anthropic/index.ts";
import { azure } from "./azure/index.ts";
import { bedrock } from "./bedrock/index.ts";
import { cohere } from "./cohere/index.ts";
import { gemini } from "./gemini/index.ts";
import { mistral } from "./mistral/index.ts";
import { openai } from "./openai/index.ts";
import { presetProviders } from "./presets.ts";
import { site } from "./site/index.ts";
import {
  type ProviderConfig,
  type ProviderName,
  providerNames,
  type TargetProvider,
} from "./types.ts";
import { vertex } from "./vertex/index.ts";

export const providers: Record<TargetProvider, ProviderConfig> = {
  openai,
  anthropic,
  cohere,
  mistral,
  gemini,
  azure,
  ai21,
  vertex,
  bedrock,
  ...presetProviders,
  site,
};

/** True when `name` is a provider the edge calls with an API key (every one but `site`). */
export function isProviderName(name: string): name is ProviderName {
  return (providerNames as readonly string[]).includes(name);
}
