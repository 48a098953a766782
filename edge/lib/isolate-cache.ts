/**
 * A short per-isolate cache of what the hot path would otherwise read from D1 on every request
 * (API keys, limit overrides, tenant provider keys): entries live `ttlMs` on the caller's clock,
 * at most `maxEntries` of them, least recently used dropped first (a Map in insertion order is
 * the LRU; lru-cache's TTL runs on its own clock, not an injected one). An isolate's own changes
 * drop their entries at once; a change made through another isolate applies here within the TTL.
 */
import type { EdgeDb } from "../store/types.ts";

interface Entry<V> {
  value: V;
  until: number;
}

export class IsolateCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** The value under `name` while it is fresh at `now`. */
  get(name: string, now: number): V | undefined {
    const entry = this.#entries.get(name);
    if (!entry || entry.until <= now) return undefined;
    this.#entries.delete(name);
    this.#entries.set(name, entry); // most recently used last
    return entry.value;
  }

  /** The value under `name`, fresh or not (what an expired entry still knows). */
  stale(name: string): V | undefined {
    return this.#entries.get(name)?.value;
  }

  set(name: string, value: V, now: number): void {
    this.#entries.delete(name);
    this.#entries.set(name, { value, until: now + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** Drops the entries whose names `match` (this isolate changed what they hold). */
  forget(match: (name: string) => boolean): void {
    for (const name of [...this.#entries.keys()]) if (match(name)) this.#entries.delete(name);
  }
}

/** One cache per database handle (tests and deployments may hold several). */
export function perDatabase<V>(make: () => IsolateCache<V>): (db: EdgeDb) => IsolateCache<V> {
  const caches = new WeakMap<EdgeDb, IsolateCache<V>>();
  return (db) => {
    let cache = caches.get(db);
    if (!cache) {
      cache = make();
      caches.set(db, cache);
    }
    return cache;
  };
}
