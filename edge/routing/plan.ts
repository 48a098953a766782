/**
 * From a model name to an ordered chain of targets: an alias of the routing policy, or a direct
 * `provider/model`. Targets whose provider has no key configured are left out.
 */
import { ApiError, modelNotFound } from "../../shared/api/errors.ts";
import { isProviderName } from "../providers/registry.ts";
import type { ProviderCredentials, ProviderName, Target } from "../providers/types.ts";
import { orderByCost, orderByWeight, type RequestEstimate } from "./backoff.ts";
import type { BreakerSettings } from "./circuit-breaker.ts";
import type { RetryPolicy, RoutingPolicy, TargetRef, Trigger } from "./policy.ts";

/** A target with its time limit. */
export interface PlannedTarget {
  target: Target;
  timeoutMs: number;
}

/** What the dispatcher runs. */
export interface RoutePlan {
  targets: PlannedTarget[];
  retry: RetryPolicy;
  fallbackOn: readonly Trigger[];
  breaker: BreakerSettings;
}

/** Splits `provider/model`, or null when the provider is unknown. */
export function parseTargetName(name: string): { provider: ProviderName; model: string } | null {
  const slash = name.indexOf("/");
  if (slash <= 0) return null;
  const provider = name.slice(0, slash);
  const model = name.slice(slash + 1);
  return isProviderName(provider) && model ? { provider, model } : null;
}

/** Resolves `model` against the policy and the configured providers. */
export function planRoute(
  model: string,
  policy: RoutingPolicy,
  credentials: Partial<Record<ProviderName, ProviderCredentials>>,
  random: () => number,
  estimate: RequestEstimate = { promptTokens: 0, maxTokens: 0 },
): RoutePlan {
  const alias = Object.hasOwn(policy.aliases, model) ? policy.aliases[model] : undefined;
  const refs: TargetRef[] = !alias
    ? [{ model, weight: 1 }]
    : alias.strategy === "weighted"
      ? orderByWeight(alias.targets, random)
      : alias.strategy === "cheapest"
        ? orderByCost(alias.targets, estimate)
        : alias.targets;
  if (refs.length === 0) {
    throw new ApiError(
      400,
      `No target of '${model}' has a context large enough for this request.`,
      {
        param: "messages",
        code: "context_length_exceeded",
      },
    );
  }
  const unconfigured = new Set<string>();
  const targets: PlannedTarget[] = [];
  for (const ref of refs) {
    const parsed = parseTargetName(ref.model);
    if (!parsed) {
      if (alias) throw new ApiError(500, `Routing policy names unknown target '${ref.model}'.`);
      throw modelNotFound(model);
    }
    const creds = credentials[parsed.provider];
    if (!creds) {
      unconfigured.add(parsed.provider);
      continue;
    }
    targets.push({
      target: { id: `${parsed.provider}/${parsed.model}`, ...parsed, ...creds },
      timeoutMs: ref.timeoutMs ?? alias?.timeoutMs ?? policy.timeoutMs,
    });
  }
  if (targets.length === 0) {
    throw new ApiError(
      400,
      `No API key is configured for provider ${[...unconfigured].join(", ")}.`,
      {
        param: "model",
        code: "provider_not_configured",
      },
    );
  }
  return {
    targets,
    retry: alias?.retry ?? policy.retry,
    // A direct call has nowhere to fall back to.
    fallbackOn: alias?.fallbackOn ?? [],
    breaker: policy.circuitBreaker,
  };
}
