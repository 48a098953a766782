/**
 * Ordering and waiting: retry delays (exponential with jitter, never shorter than the
 * provider's `Retry-After`), weighted picks, cheapest-first.
 */
import type { RetryPolicy, TargetRef } from "./policy.ts";
import { isPriced, priceOf } from "./price.ts";

/**
 * The wait before retry number `attempt` (0-based), or null when the provider asks for a wait
 * longer than the policy allows (the chain should fall back instead of waiting).
 */
export function retryDelay(
  attempt: number,
  retryAfterSeconds: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = exponential * (0.5 + random() / 2);
  if (retryAfterSeconds === undefined) return jittered;
  const asked = retryAfterSeconds * 1000;
  if (asked > policy.maxRetryAfterMs) return null;
  return Math.max(asked, jittered);
}

/** Orders targets for a weighted pick: each next one drawn by weight among those left. */
export function orderByWeight<T extends { weight: number }>(items: T[], random: () => number): T[] {
  const left = [...items];
  const ordered: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, item) => sum + item.weight, 0);
    let point = random() * total;
    let index = left.findIndex((item) => {
      point -= item.weight;
      return point < 0;
    });
    if (index < 0) index = left.length - 1;
    ordered.push(...left.splice(index, 1));
  }
  return ordered;
}

/** The size of a request, for cost and context checks. */
export interface RequestEstimate {
  promptTokens: number;
  maxTokens: number;
}

/** What `ref` would cost for `estimate`, in USD; unpriced targets count as free-unknown (last). */
function estimatedCost(ref: TargetRef, estimate: RequestEstimate): number {
  if (!isPriced(ref)) return Number.POSITIVE_INFINITY;
  return priceOf(ref, estimate.promptTokens, estimate.maxTokens);
}

/** Targets whose context fits the request, cheapest first (stable for equal costs). */
export function orderByCost(refs: TargetRef[], estimate: RequestEstimate): TargetRef[] {
  const needed = estimate.promptTokens + estimate.maxTokens;
  return refs
    .filter((ref) => ref.contextTokens === undefined || ref.contextTokens >= needed)
    .map((ref, i) => ({ ref, i, cost: estimatedCost(ref, estimate) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i)
    .map(({ ref }) => ref);
}
