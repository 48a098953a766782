/**
 * Prices of calls: an alias target's own price in the routing policy, else the model
 * catalogue's (edge/providers/catalogue.ts) for direct names and alias targets alike. What a
 * call cost once its usage is known, and the most a request could cost before it runs (the
 * budget reserves that, then settles to the real cost).
 */
import { type Catalogue, catalogueEntry } from "../providers/catalogue.ts";
import { SITE_TARGET_PREFIX } from "../providers/site/index.ts";
import type { RequestEstimate } from "./backoff.ts";
import type { RoutingPolicy, TargetRef } from "./policy.ts";

/** Prices per million tokens. */
type Priced = Pick<TargetRef, "inputPerMillion" | "outputPerMillion">;

/** What prices calls: the routing policy, then the catalogue. */
export interface Pricing {
  policy: RoutingPolicy;
  catalogue: Catalogue;
}

/** True when `ref` has a price. */
export const isPriced = (ref: Priced) =>
  ref.inputPerMillion !== undefined || ref.outputPerMillion !== undefined;

/** USD for `promptTokens` in and `completionTokens` out on `ref`. */
export function priceOf(ref: Priced, promptTokens: number, completionTokens: number): number {
  return (
    (promptTokens * (ref.inputPerMillion ?? 0) + completionTokens * (ref.outputPerMillion ?? 0)) /
    1_000_000
  );
}

/**
 * The policy with the catalogue's prices and context windows filled in for alias targets that
 * name none (a target's own values win), so cheapest-first routing and context checks see them.
 */
export function withCataloguePrices(policy: RoutingPolicy, catalogue: Catalogue): RoutingPolicy {
  const aliases: RoutingPolicy["aliases"] = {};
  for (const [name, alias] of Object.entries(policy.aliases)) {
    aliases[name] = {
      ...alias,
      targets: alias.targets.map((ref) => {
        const entry = catalogueEntry(catalogue, ref.model);
        if (!entry) return ref;
        const own = isPriced(ref);
        return {
          ...ref,
          inputPerMillion: own ? ref.inputPerMillion : entry.inputPerMillion,
          outputPerMillion: own ? ref.outputPerMillion : entry.outputPerMillion,
          contextTokens: ref.contextTokens ?? entry.contextTokens,
        };
      }),
    };
  }
  return { ...policy, aliases };
}

/** What the customer's own appliances cost per token unless the policy prices them: nothing. */
const SITE_PRICE: Priced = { inputPerMillion: 0, outputPerMillion: 0 };

/** The price of `target` when `model` (an alias or a direct name) reached it, or undefined. */
function priceAt(pricing: Pricing, model: string, target: string): Priced | undefined {
  const { policy, catalogue } = pricing;
  const alias = Object.hasOwn(policy.aliases, model) ? policy.aliases[model] : undefined;
  const ref = alias
    ? alias.targets.find((t) => t.model === target)
    : catalogueEntry(catalogue, target);
  if (ref && isPriced(ref)) return ref;
  return target.startsWith(SITE_TARGET_PREFIX) ? SITE_PRICE : undefined;
}

/** USD of a finished call on `target`, or null when nothing prices it. */
export function costOfCall(
  pricing: Pricing,
  model: string,
  target: string | null,
  usage: { prompt_tokens: number; completion_tokens: number } | undefined,
): number | null {
  const price = target === null ? undefined : priceAt(pricing, model, target);
  if (!price || !usage) return null;
  return priceOf(price, usage.prompt_tokens, usage.completion_tokens);
}

/**
 * The most `estimate` can cost on `model`: for an alias, its dearest target, since any of them
 * may answer. Null when a target it may reach has no price (the cost cannot be bounded).
 */
export function maxCostOf(
  pricing: Pricing,
  model: string,
  estimate: RequestEstimate,
): number | null {
  const { policy } = pricing;
  const alias = Object.hasOwn(policy.aliases, model) ? policy.aliases[model] : undefined;
  const targets = alias ? alias.targets.map((t) => t.model) : [model];
  let most = 0;
  for (const target of targets) {
    const price = priceAt(pricing, model, target);
    if (!price) return null;
    most = Math.max(most, priceOf(price, estimate.promptTokens, estimate.maxTokens));
  }
  return most;
}
