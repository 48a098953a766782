import type { Context } from "hono";
import { type EdgeEnv, settings } from "../env.ts";
import { parseSiteModel, planSiteRoute } from "../hub/index.ts";
import type { RequestEstimate } from "../routing/backoff.ts";
import { planRoute, type RoutePlan } from "../routing/plan.ts";
import { credentialsFor } from "./credentials.ts";
import type { GatewayDeps } from "./deps.ts";

/**
 * Where a generation request goes: a site's appliances over the hybrid link (`site:<site>/…`,
 * edge/hub, with that link's deps), otherwise the routing policy's chain of providers.
 */
export async function routeFor(
  c: Context<EdgeEnv>,
  model: string,
  deps: GatewayDeps,
  estimate: RequestEstimate,
): Promise<{ plan: RoutePlan; deps: GatewayDeps }> {
  if (parseSiteModel(model)) return planSiteRoute(c, model, deps);
  const config = settings(c);
  const credentials = await credentialsFor(config, c.get("principal").tenantId);
  return { plan: planRoute(model, config.policy, credentials, deps.random, estimate), deps };
}
