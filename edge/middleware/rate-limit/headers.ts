/**
 * The rate-limit headers OpenAI sends (`x-ratelimit-limit-requests`, `-remaining-`, `-reset-`,
 * and the `-tokens` ones), so clients written for OpenAI read ours. Reset times are durations
 * in OpenAI's form: `1s`, `6m0s`, `120ms`.
 */
import type { WindowUsage } from "../../../shared/api/schemas/limits.ts";

/** `0s`, `120ms`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  if (seconds < 1) return `${Math.ceil(seconds * 1000)}ms`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = Math.round((seconds % 60) * 1000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

/** The window that binds: the one with the fewest units left (then the smaller limit). */
export function tightest(windows: (WindowUsage | null)[]): WindowUsage | null {
  let best: WindowUsage | null = null;
  for (const w of windows) {
    if (!w) continue;
    if (
      !best ||
      w.remaining < best.remaining ||
      (w.remaining === best.remaining && w.limit < best.limit)
    ) {
      best = w;
    }
  }
  return best;
}

/** The headers for the binding request and token windows (none for a window with no limit). */
export function rateLimitHeaders(
  requests: WindowUsage | null,
  tokens: WindowUsage | null,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [unit, w] of [
    ["requests", requests],
    ["tokens", tokens],
  ] as const) {
    if (!w) continue;
    headers[`x-ratelimit-limit-${unit}`] = String(w.limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(w.remaining);
    headers[`x-ratelimit-reset-${unit}`] = formatDuration(w.reset_seconds);
  }
  return headers;
}
