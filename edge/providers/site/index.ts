/**
 * `site`: an appliance site of the hybrid link. Its appliances speak OpenAI's format (chat and
 * legacy completions); calls never leave the worker: a site target's transport sends them to the
 * site's hub (edge/hub), which sends them down an appliance's link.
 */
import { createOpenAiCompatibleProvider } from "../openai-compatible/index.ts";
import type { ProviderConfig } from "../types.ts";

/** The prefix of a site target's name: `site:<site>/<model>`. */
export const SITE_TARGET_PREFIX = "site:";
/** The base URL a site target's calls carry (its transport, not DNS, decides where they go). */
export const SITE_HUB_URL = "https://site-hub.internal";

const base = createOpenAiCompatibleProvider({
  name: "site",
  defaultBaseUrl: SITE_HUB_URL,
  legacyCompletions: true,
});

/** The site provider: chat and completions; no embeddings or model listing over the link. */
export const site: ProviderConfig = {
  name: base.name,
  defaultBaseUrl: base.defaultBaseUrl,
  chat: base.chat,
  completions: base.completions,
  errorMessage: base.errorMessage,
};

/** A site target's parts: the site as the caller names it, and the appliance's model. */
export interface SiteTargetName {
  site: string;
  model: string;
}

/** Splits `site:<site>/<model>`, or null for any other name. */
export function parseSiteTarget(name: string): SiteTargetName | null {
  if (!name.startsWith(SITE_TARGET_PREFIX)) return null;
  const rest = name.slice(SITE_TARGET_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || slash === rest.length - 1) return null;
  return { site: rest.slice(0, slash), model: rest.slice(slash + 1) };
}

/** `site:<site>/<model>`. */
export function siteTargetName(site: string, model: string): string {
  return `${SITE_TARGET_PREFIX}${site}/${model}`;
}
