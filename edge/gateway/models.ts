/**
 * The models every configured provider offers, as `provider/model`; a failing provider is left
 * out. A provider with no model list (Azure's deployments, AI21) offers what the catalogue names
 * for it.
 */
import type { Model } from "../../shared/api/schemas/models.ts";
import type { Catalogue } from "../providers/catalogue.ts";
import { providers } from "../providers/registry.ts";
import type { ProviderCredentials, ProviderName } from "../providers/types.ts";
import { readJson, sendUpstream, type UpstreamDeps } from "./upstream.ts";

const LIST_TIMEOUT_MS = 10_000;
/** Provider model lists change rarely: each isolate asks again after this long. */
const LIST_TTL_MS = 5 * 60_000;

/** Provider model lists already fetched, by provider, base URL and key. */
export type ModelListCache = Map<string, { at: number; ids: string[] }>;

/** Lists the providers' models in parallel, from `cache` while fresh. */
export async function listProviderModels(
  configured: Partial<Record<ProviderName, ProviderCredentials>>,
  deps: UpstreamDeps,
  cache: ModelListCache,
  catalogue: Catalogue,
): Promise<Model[]> {
  const created = Math.floor(deps.now() / 1000);
  const lists = await Promise.all(
    Object.entries(configured).map(async ([name, credentials]) => {
      const provider = providers[name as ProviderName];
      if (!credentials) return [];
      const model = (id: string) => ({
        id: `${name}/${id}`,
        object: "model" as const,
        created,
        owned_by: name,
      });
      if (!provider.models) {
        return Object.keys(catalogue.models)
          .filter((id) => id.startsWith(`${name}/`))
          .map((id) => model(id.slice(name.length + 1)));
      }
      // Keyed by the key itself: a tenant's own key may see other models than the server's.
      const key = `${name}|${credentials.baseUrl}|${credentials.apiKey}`;
      try {
        let hit = cache.get(key);
        if (!hit || deps.now() - hit.at >= LIST_TTL_MS) {
          const call = provider.models.request(credentials);
          const upstream = await sendUpstream(provider, call, credentials, LIST_TIMEOUT_MS, deps);
          const ids = provider.models.response(await readJson(name, upstream, LIST_TIMEOUT_MS));
          hit = { at: deps.now(), ids };
          cache.set(key, hit);
        }
        return hit.ids.map(model);
      } catch (err) {
        console.warn(`listing ${name} models failed:`, err instanceof Error ? err.message : err);
        return [];
      }
    }),
  );
  return lists.flat();
}
