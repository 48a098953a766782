/**
 * The provider credentials a request routes with: the server's keys, replaced by the tenant's
 * own (sealed in D1) where it stored one.
 */
import type { EdgeSettings } from "../env.ts";
import { IsolateCache, perDatabase } from "../lib/isolate-cache.ts";
import { isProviderName } from "../providers/registry.ts";
import type { ProviderCredentials, ProviderName } from "../providers/types.ts";
import { openStore } from "../store/db.ts";
import { openProviderKeys } from "../store/provider-keys.ts";
import type { EdgeDb } from "../store/types.ts";

/** How long an isolate reuses a tenant's opened keys: a change elsewhere applies within this. */
export const PROVIDER_KEYS_TTL_MS = 10_000;
const cacheOf = perDatabase(
  () => new IsolateCache<Map<string, string>>(PROVIDER_KEYS_TTL_MS, 10_000),
);

/** Drops this isolate's opened keys of `tenantId` (after an admin changed them here). */
export function forgetProviderKeys(db: EdgeDb, tenantId: string): void {
  cacheOf(db).forget((name) => name === tenantId);
}

/**
 * Credentials for `tenantId`'s requests. Its own keys are read and opened once per
 * {@link PROVIDER_KEYS_TTL_MS} per isolate, not on every request.
 */
export async function credentialsFor(
  settings: EdgeSettings,
  tenantId: string,
  now: () => number = Date.now,
): Promise<Partial<Record<ProviderName, ProviderCredentials>>> {
  if (!settings.providerKeysMaster) return settings.providers;
  const db = await openStore(settings.database);
  const cache = cacheOf(db);
  let own = cache.get(tenantId, now());
  if (!own) {
    own = await openProviderKeys(db, await settings.providerKeysMaster, tenantId);
    cache.set(tenantId, own, now());
  }
  if (own.size === 0) return settings.providers;
  const merged = { ...settings.providers };
  for (const [name, apiKey] of own) {
    // A provider with no URL configured (Azure without AZURE_BASE_URL) cannot be reached.
    if (isProviderName(name) && settings.baseUrls[name]) {
      merged[name] = { apiKey, baseUrl: settings.baseUrls[name], owner: tenantId };
    }
  }
  return merged;
}
