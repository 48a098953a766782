/**
 * `site:<site>/<model>` through the gateway: to the edge, a site is just another
 * OpenAI-compatible provider whose "HTTP endpoint" is the site's Durable Object. The usual
 * dispatch, relay (terminal-event checks, error events), metering and limits then apply as for
 * any provider; failover between appliances happens inside the hub, which knows their health.
 */
import type { Context } from "hono";
import { modelNotFound } from "../../shared/api/errors.ts";
import type { Model } from "../../shared/api/schemas/models.ts";
import { type EdgeEnv, settings, siteHubs } from "../env.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { createOpenAiCompatibleProvider } from "../providers/openai-compatible/index.ts";
import type { Target } from "../providers/types.ts";
import type { RoutePlan } from "../routing/plan.ts";
import { openStore } from "../store/db.ts";
import { type ApplianceStatus, HUB_HEADERS } from "./site-hub.ts";
import { findUsableSite, usableSites } from "./store.ts";

/** The prefix of model names served by a site's appliances. */
export const SITE_MODEL_PREFIX = "site:";
/** The base URL the hub's provider config calls (never leaves the worker: fetch goes to the DO). */
const HUB_URL = "https://site-hub.internal";

/** Splits `site:<site>/<model>`, or null for any other name. */
export function parseSiteModel(name: string): { site: string; model: string } | null {
  if (!name.startsWith(SITE_MODEL_PREFIX)) return null;
  const rest = name.slice(SITE_MODEL_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || slash === rest.length - 1) return null;
  return { site: rest.slice(0, slash), model: rest.slice(slash + 1) };
}

/** A site's Durable Object stub. */
export function siteHub(c: Context<EdgeEnv>, siteId: string) {
  const hubs = siteHubs(c);
  return hubs.get(hubs.idFromName(siteId));
}

/**
 * The plan and deps for a `site:` model: one target (the site's hub), no retries or circuit
 * breaker at this level (the hub fails over between appliances by their heartbeats), and a
 * fetch that reaches the hub with the request's deadline.
 */
export async function planSiteRoute(
  c: Context<EdgeEnv>,
  name: string,
  deps: GatewayDeps,
): Promise<{ plan: RoutePlan; deps: GatewayDeps }> {
  const ref = parseSiteModel(name);
  const config = settings(c);
  const db = await openStore(config.database);
  const site = ref && (await findUsableSite(db, ref.site, c.get("principal").tenantId));
  if (!ref || !site) throw modelNotFound(name);
  const timeoutMs = config.policy.timeoutMs;
  const target: Target = {
    id: name,
    provider: "openai",
    model: ref.model,
    baseUrl: HUB_URL,
    apiKey: "link",
    via: createOpenAiCompatibleProvider({
      name: `site:${site.id}`,
      defaultBaseUrl: HUB_URL,
      legacyCompletions: true,
    }),
  };
  const stub = siteHub(c, site.id);
  return {
    plan: {
      targets: [{ target, timeoutMs }],
      retry: { ...config.policy.retry, attempts: 0 },
      fallbackOn: [],
      breaker: { failureThreshold: Number.MAX_SAFE_INTEGER, cooldownMs: 0 },
    },
    deps: {
      ...deps,
      fetch: (input, init) => {
        const id = crypto.randomUUID();
        const headers = new Headers(init?.headers);
        headers.set(HUB_HEADERS.deadline, String(deps.now() + timeoutMs));
        headers.set(HUB_HEADERS.requestId, id);
        // The relay aborts when the client goes away or time runs out: tell the hub, which
        // sends `cancel` down the link (an aborted subrequest alone does not reach it).
        init?.signal?.addEventListener("abort", () => {
          const cancel = stub.fetch(`${HUB_URL}/cancel?id=${id}`, { method: "POST" });
          waitUntil(
            c,
            cancel.catch(() => {}),
          );
        });
        const { signal: _unused, ...rest } = init ?? {};
        return stub.fetch(new Request(input, { ...rest, headers }));
      },
    },
  };
}

/** Keeps `work` alive past the response where the runtime allows it. */
function waitUntil(c: Context<EdgeEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (app.request in unit tests): the promise runs on its own.
  }
}

/** What a site's hub reports of its appliances (empty when it cannot be asked). */
export async function siteStatus(c: Context<EdgeEnv>, siteId: string): Promise<ApplianceStatus[]> {
  try {
    const res = await siteHub(c, siteId).fetch("https://site-hub.internal/status");
    return (await res.json()) as ApplianceStatus[];
  } catch (err) {
    console.warn(`site ${siteId}: status failed:`, err instanceof Error ? err.message : err);
    return [];
  }
}

/** The models of every site the caller may use, served by an online appliance. */
export async function listSiteModels(c: Context<EdgeEnv>, now: number): Promise<Model[]> {
  const db = await openStore(settings(c).database);
  const sites = await usableSites(db, c.get("principal").tenantId);
  const lists = await Promise.all(
    sites.map(async (site) => {
      const ids = new Set<string>();
      for (const appliance of await siteStatus(c, site.id)) {
        if (appliance.online) for (const m of appliance.models) ids.add(m.id);
      }
      return [...ids].sort().map((id) => ({
        id: `${SITE_MODEL_PREFIX}${site.id}/${id}`,
        object: "model" as const,
        created: Math.floor(now / 1000),
        owned_by: site.tenantId,
      }));
    }),
  );
  return lists.flat();
}
