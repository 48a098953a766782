/**
 * The provider credentials a request routes with: the server's keys, replaced by the tenant's
 * own (sealed in D1) where it stored one.
 */
import type { EdgeSettings } from "../env.ts";
import { isProviderName } from "../providers/registry.ts";
import type { ProviderCredentials, ProviderName } from "../providers/types.ts";
import { openStore } from "../store/db.ts";
import { openProviderKeys } from "../store/provider-keys.ts";

/** Credentials for `tenantId`'s requests. */
export async function credentialsFor(
  settings: EdgeSettings,
  tenantId: string,
): Promise<Partial<Record<ProviderName, ProviderCredentials>>> {
  if (!settings.providerKeysMaster) return settings.providers;
  const master = await settings.providerKeysMaster;
  const own = await openProviderKeys(await openStore(settings.database), master, tenantId);
  if (own.size === 0) return settings.providers;
  const merged = { ...settings.providers };
  for (const [name, apiKey] of own) {
    if (isProviderName(name)) {
      merged[name] = { apiKey, baseUrl: settings.baseUrls[name], owner: tenantId };
    }
  }
  return merged;
}
