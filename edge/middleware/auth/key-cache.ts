/**
 * A short per-isolate cache of verified API keys, so a request with a key does not pay a D1 read.
 * Entries are keyed by the key's hash (the secret is never kept), live {@link KEY_CACHE_TTL_MS} on
 * the injected clock and are bounded to {@link KEY_CACHE_SIZE}, least recently used dropped first.
 * A key revoked through this isolate is dropped at once ({@link forgetApiKey}); one revoked
 * elsewhere stops working here within the TTL. Expiry is not cached: callers check it each time.
 */
import type { ApiKey } from "../../../shared/db/schema/index.ts";
import { findUnrevokedApiKey, LAST_USED_RESOLUTION_MS } from "../../../shared/identity/api-keys.ts";
import { IsolateCache, perDatabase } from "../../lib/isolate-cache.ts";
import type { EdgeDb } from "../../store/types.ts";

/** How long an isolate trusts a key it read: a revocation elsewhere applies within this. */
export const KEY_CACHE_TTL_MS = 30_000;
/** The most keys one isolate keeps per database. */
export const KEY_CACHE_SIZE = 1000;

/** A cached key and what this isolate knows of its last use. */
interface Entry {
  key: ApiKey;
  /** The latest `last_used_at` known here (ms): the row's, or this isolate's own write. */
  lastUsedAt: number | null;
}

const cacheOf = perDatabase(() => new IsolateCache<Entry>(KEY_CACHE_TTL_MS, KEY_CACHE_SIZE));

/** The unrevoked key stored under `hash`, from this isolate's cache or D1; misses are not kept. */
export async function lookUpApiKey(db: EdgeDb, hash: string, now: number): Promise<Entry | null> {
  const cache = cacheOf(db);
  const hit = cache.get(hash, now);
  if (hit) return hit;
  const key = await findUnrevokedApiKey(db, hash);
  if (!key) {
    cache.forget((name) => name === hash);
    return null;
  }
  const known = cache.stale(hash)?.lastUsedAt ?? 0;
  const entry = { key, lastUsedAt: Math.max(key.lastUsedAt?.getTime() ?? 0, known) || null };
  cache.set(hash, entry, now);
  return entry;
}

/**
 * True when the key's use at `now` should be written (none known within
 * {@link LAST_USED_RESOLUTION_MS}); it is then counted as written, so concurrent requests on this
 * isolate do not all write.
 */
export function claimLastUsedWrite(entry: Entry, now: number): boolean {
  if (entry.lastUsedAt !== null && now - entry.lastUsedAt < LAST_USED_RESOLUTION_MS) return false;
  entry.lastUsedAt = now;
  return true;
}

/** Drops a key from this isolate's cache (it was revoked here): it is refused from now on. */
export function forgetApiKey(db: EdgeDb, hash: string): void {
  cacheOf(db).forget((name) => name === hash);
}
