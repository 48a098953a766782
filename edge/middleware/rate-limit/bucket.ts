/**
 * The arithmetic of limits, pure so it is tested without a Durable Object: per-minute limits
 * are token buckets that refill continuously (a limit of 60 a minute gives one back every
 * second, so there is no burst at a window's edge), budgets are sums per calendar month (UTC).
 */

const MINUTE_MS = 60_000;

/** A bucket's content at an instant; `level` may dip below zero after a call used more than it reserved. */
export interface Bucket {
  level: number;
  at: number;
  /** The limit the bucket last had: a raised limit adds its difference at once. */
  capacity: number;
}

/**
 * The bucket at `now`, refilled at `capacity` a minute; a new bucket starts full. A raised
 * limit adds the difference straight away; a lowered one caps what is left.
 */
export function refill(bucket: Bucket | null, capacity: number, now: number): Bucket {
  if (!bucket) return { level: capacity, at: now, capacity };
  // A clock that steps back (another isolate's) refills nothing rather than draining.
  const elapsed = Math.max(0, now - bucket.at);
  const raised = Math.max(0, capacity - bucket.capacity);
  return {
    level: Math.min(capacity, bucket.level + raised + (elapsed * capacity) / MINUTE_MS),
    at: Math.max(now, bucket.at),
    capacity,
  };
}

/** Milliseconds until `bucket` holds `amount`, 0 when it does now; Infinity when it never can. */
export function waitFor(bucket: Bucket, capacity: number, amount: number): number {
  if (bucket.level >= amount) return 0;
  if (amount > capacity || capacity === 0) return Number.POSITIVE_INFINITY;
  return Math.ceil(((amount - bucket.level) * MINUTE_MS) / capacity);
}

/** What a bucket looks like to a client: limit, whole units left, seconds until full. */
export function windowOf(bucket: Bucket, capacity: number) {
  const missing = capacity - bucket.level;
  return {
    limit: capacity,
    remaining: Math.max(0, Math.floor(bucket.level)),
    reset_seconds: capacity === 0 || missing <= 0 ? 0 : (missing * MINUTE_MS) / capacity / 1000,
  };
}

/** The budget month of `now`: `YYYY-MM` (UTC). */
export function periodOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

/** Epoch milliseconds at which the month after `now`'s begins (UTC). */
export function nextPeriodStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
