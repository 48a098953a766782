/** The models every configured provider offers, as `provider/model`; a failing provider is left out. */
import type { Model } from "../../shared/api/schemas/models.ts";
import { providers } from "../providers/registry.ts";
import type { ProviderCredentials, ProviderName } from "../providers/types.ts";
import { readJson, sendUpstream, type UpstreamDeps } from "./upstream.ts";

const LIST_TIMEOUT_MS = 10_000;

/** Lists the providers' models in parallel. */
export async function listProviderModels(
  configured: Partial<Record<ProviderName, ProviderCredentials>>,
  deps: UpstreamDeps,
): Promise<Model[]> {
  const created = Math.floor(deps.now() / 1000);
  const lists = await Promise.all(
    Object.entries(configured).map(async ([name, credentials]) => {
      const provider = providers[name as ProviderName];
      if (!provider.models || !credentials) return [];
      try {
        const call = provider.models.request(credentials);
        const upstream = await sendUpstream(provider, call, LIST_TIMEOUT_MS, deps);
        const ids = provider.models.response(await readJson(name, upstream, LIST_TIMEOUT_MS));
        return ids.map((id) => ({
          id: `${name}/${id}`,
          object: "model" as const,
          created,
          owned_by: name,
        }));
      } catch (err) {
        console.warn(`listing ${name} models failed:`, err instanceof Error ? err.message : err);
        return [];
      }
    }),
  );
  return lists.flat();
}
