import type { Context } from "hono";
import { type EdgeEnv, settings } from "../env.ts";
import { usableSiteTargets } from "../hub/index.ts";
import type { Capability } from "../providers/catalogue.ts";
import type { RequestEstimate } from "../routing/backoff.ts";
import { planRoute, type RoutePlan, sitesNamed } from "../routing/plan.ts";
import { credentialsFor } from "./credentials.ts";
import type { GatewayDeps } from "./deps.ts";

/**
 * Where a generation request goes: the routing policy's chain of targets, with the caller's
 * provider keys and the sites its tenant may use (`site:<site>/…`, directly or in an alias).
 */
export async function routeFor(
  c: Context<EdgeEnv>,
  model: string,
  deps: GatewayDeps,
  estimate: RequestEstimate,
  capabilities: readonly Capability[] = [],
): Promise<{ plan: RoutePlan; deps: GatewayDeps }> {
  const config = settings(c);
  const [credentials, sites] = await Promise.all([
    credentialsFor(config, c.get("principal").tenantId),
    usableSiteTargets(c, sitesNamed(model, config.policy), deps.now),
  ]);
  return {
    plan: planRoute(model, config.policy, credentials, deps.random, {
      estimate,
      sites,
      needs: { capabilities, catalogue: config.catalogue },
    }),
    deps,
  };
}
