/**
 * Prices from the routing policy: what a call cost once its usage is known, and the most a
 * request could cost before it runs (the budget reserves that, then settles to the real cost).
 */
import type { RequestEstimate } from "./backoff.ts";
import type { RoutingPolicy, TargetRef } from "./policy.ts";

/** True when the policy gives `ref` a price. */
export const isPriced = (ref: TargetRef) =>
  ref.inputPerMillion !== undefined || ref.outputPerMillion !== undefined;

/** USD for `promptTokens` in and `completionTokens` out on `ref`. */
export function priceOf(ref: TargetRef, promptTokens: number, completionTokens: number): number {
  return (
    (promptTokens * (ref.inputPerMillion ?? 0) + completionTokens * (ref.outputPerMillion ?? 0)) /
    1_000_000
  );
}

/** USD of a finished call on `target` when the policy prices it (an alias target), else null. */
export function costOfCall(
  policy: RoutingPolicy,
  model: string,
  target: string | null,
  usage: { prompt_tokens: number; completion_tokens: number } | undefined,
): number | null {
  const alias = Object.hasOwn(policy.aliases, model) ? policy.aliases[model] : undefined;
  const ref = alias?.targets.find((t) => t.model === target);
  if (!ref || !usage || !isPriced(ref)) return null;
  return priceOf(ref, usage.prompt_tokens, usage.completion_tokens);
}

/**
 * The most `estimate` can cost on `model`: the dearest priced target of its alias, since any of
 * them may answer. Zero for unpriced models (direct `provider/model` names).
 */
export function maxCostOf(policy: RoutingPolicy, model: string, estimate: RequestEstimate): number {
  const alias = Object.hasOwn(policy.aliases, model) ? policy.aliases[model] : undefined;
  let most = 0;
  for (const ref of alias?.targets ?? []) {
    if (isPriced(ref)) {
      most = Math.max(most, priceOf(ref, estimate.promptTokens, estimate.maxTokens));
    }
  }
  return most;
}
