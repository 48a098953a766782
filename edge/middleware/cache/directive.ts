/**
 * What the client asks of the cache, from request headers:
 * `x-textnlp-cache: no-store` (or `Cache-Control: no-store`) bypasses it entirely;
 * `x-textnlp-cache: refresh` (or `Cache-Control: no-cache`) skips the lookup but stores the
 * fresh answer; `x-textnlp-cache-ttl: <seconds>` sets how long the answer is kept.
 */
import { ApiError } from "../../../shared/api/errors.ts";

/** The request header that steers the cache, and the response header that reports it. */
export const CACHE_HEADER = "x-textnlp-cache";
/** The request header that sets the time to live of a stored answer. */
export const CACHE_TTL_HEADER = "x-textnlp-cache-ttl";
/** Workers KV refuses shorter expirations. */
export const KV_MIN_TTL_SECONDS = 60;

/** TTL bounds from the deployment's settings. */
export interface CacheTtls {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
}

/** The client's wishes, resolved against the settings. */
export interface CacheDirective {
  /** Look the answer up (false for refresh). */
  read: boolean;
  /** Store a fresh answer (false for no-store or a TTL of 0). */
  write: boolean;
  ttlSeconds: number;
}

/** Reads the cache headers; a TTL that is not a whole number of seconds is a 400. */
export function readDirective(headers: Headers, ttls: CacheTtls): CacheDirective {
  const wish = headers.get(CACHE_HEADER)?.trim().toLowerCase();
  const control = (headers.get("cache-control") ?? "").toLowerCase();
  const noStore = wish === "no-store" || /(?:^|,)\s*no-store\b/.test(control);
  const refresh = wish === "refresh" || /(?:^|,)\s*no-cache\b/.test(control);
  let ttlSeconds = ttls.defaultTtlSeconds;
  const rawTtl = headers.get(CACHE_TTL_HEADER);
  if (rawTtl !== null) {
    if (!/^\s*\d{1,10}\s*$/.test(rawTtl)) {
      throw new ApiError(400, `${CACHE_TTL_HEADER} must be a whole number of seconds.`, {
        code: "invalid_cache_ttl",
        param: CACHE_TTL_HEADER,
      });
    }
    ttlSeconds = Number(rawTtl);
  }
  if (noStore || ttlSeconds === 0) return { read: !noStore, write: false, ttlSeconds: 0 };
  return {
    read: !refresh,
    write: true,
    ttlSeconds: Math.min(ttls.maxTtlSeconds, Math.max(KV_MIN_TTL_SECONDS, ttlSeconds)),
  };
}
