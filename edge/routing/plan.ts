/**
 * From a model name to an ordered chain of targets: an alias of the routing policy, or a direct
 * `provider/model` or `site:<site>/<model>`. Targets whose provider has no key configured, and
 * sites the caller may not use, are left out.
 */
import { ApiError, modelNotFound } from "../../shared/api/errors.ts";
import { type Capability, type Catalogue, catalogueEntry } from "../providers/catalogue.ts";
import { isProviderName } from "../providers/registry.ts";
import { parseSiteTarget, siteTargetName } from "../providers/site/index.ts";
import type {
  ProviderCredentials,
  ProviderName,
  SiteCredentials,
  Target,
} from "../providers/types.ts";
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

/** The alias `model` names, if any. */
const aliasOf = (model: string, policy: RoutingPolicy) =>
  Object.hasOwn(policy.aliases, model) ? policy.aliases[model] : undefined;

/**
 * The sites `model` can route to, directly or through its alias, by the names it gives them:
 * what the caller must resolve (in its tenant) before {@link planRoute}.
 */
export function sitesNamed(model: string, policy: RoutingPolicy): string[] {
  const refs = aliasOf(model, policy)?.targets ?? [{ model }];
  const names = refs.map((ref) => parseSiteTarget(ref.model)?.site);
  return [...new Set(names.filter((name) => name !== undefined))];
}

/** The target `name` stands for, or a reason it cannot be used. */
function resolveTarget(
  name: string,
  credentials: Partial<Record<ProviderName, ProviderCredentials>>,
  sites: ReadonlyMap<string, SiteCredentials>,
): Target | "unknown" | "no_site" | { unconfigured: ProviderName } {
  const site = parseSiteTarget(name);
  if (site) {
    const creds = sites.get(site.site);
    if (!creds) return "no_site";
    return { id: siteTargetName(site.site, site.model), provider: "site", ...site, ...creds };
  }
  const parsed = parseTargetName(name);
  if (!parsed) return "unknown";
  const creds = credentials[parsed.provider];
  if (!creds) return { unconfigured: parsed.provider };
  return { id: `${parsed.provider}/${parsed.model}`, ...parsed, ...creds };
}

/** What a request needs of its targets, by the model catalogue. */
export interface CapabilityNeeds {
  capabilities: readonly Capability[];
  catalogue: Catalogue;
}

/**
 * Keeps the targets that can do what the request needs (those the catalogue does not know are
 * kept: nothing says they cannot); a 400 `unsupported_capability` when none is left.
 */
function capableTargets(model: string, refs: TargetRef[], needs: CapabilityNeeds): TargetRef[] {
  const lacking = (ref: TargetRef) => {
    const entry = catalogueEntry(needs.catalogue, ref.model);
    return entry && needs.capabilities.find((cap) => !entry.capabilities.includes(cap));
  };
  const able = refs.filter((ref) => !lacking(ref));
  if (able.length > 0) return able;
  const why = refs.map((ref) => `'${ref.model}' has no ${lacking(ref)}`).join(", ");
  throw new ApiError(400, `The model '${model}' cannot serve this request: ${why}.`, {
    param: "model",
    code: "unsupported_capability",
  });
}

/** Options of {@link planRoute}. */
export interface PlanOptions {
  /** The request's size, for cheapest-first routing and context checks. */
  estimate?: RequestEstimate;
  /** The sites the caller may use, by the names it gives them (see {@link sitesNamed}). */
  sites?: ReadonlyMap<string, SiteCredentials>;
  /** What the request needs of a target (an alias skips targets that lack it). */
  needs?: CapabilityNeeds;
}

/** Resolves `model` against the policy, the configured providers and the caller's sites. */
export function planRoute(
  model: string,
  policy: RoutingPolicy,
  credentials: Partial<Record<ProviderName, ProviderCredentials>>,
  random: () => number,
  { estimate = { promptTokens: 0, maxTokens: 0 }, sites = new Map(), needs }: PlanOptions = {},
): RoutePlan {
  const alias = aliasOf(model, policy);
  const ordered: TargetRef[] = !alias
    ? [{ model, weight: 1 }]
    : alias.strategy === "weighted"
      ? orderByWeight(alias.targets, random)
      : alias.strategy === "cheapest"
        ? orderByCost(alias.targets, estimate)
        : alias.targets;
  if (ordered.length === 0) {
    throw new ApiError(
      400,
      `No target of '${model}' has a context large enough for this request.`,
      {
        param: "messages",
        code: "context_length_exceeded",
      },
    );
  }
  const refs = needs ? capableTargets(model, ordered, needs) : ordered;
  const unconfigured = new Set<string>();
  let siteMissing = false;
  const targets: PlannedTarget[] = [];
  for (const ref of refs) {
    const target = resolveTarget(ref.model, credentials, sites);
    if (target === "unknown") {
      if (alias) throw new ApiError(500, `Routing policy names unknown target '${ref.model}'.`);
      throw modelNotFound(model);
    }
    // A site the caller may not use is left out as one that does not exist would be.
    if (target === "no_site") {
      siteMissing = true;
      continue;
    }
    if ("unconfigured" in target) {
      unconfigured.add(target.unconfigured);
      continue;
    }
    targets.push({ target, timeoutMs: ref.timeoutMs ?? alias?.timeoutMs ?? policy.timeoutMs });
  }
  if (targets.length === 0 && unconfigured.size === 0 && siteMissing) throw modelNotFound(model);
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
