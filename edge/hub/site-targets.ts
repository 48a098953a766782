/**
 * Sites as targets: to the gateway, a site is one more provider (`site`, edge/providers/site)
 * whose transport is the site's Durable Object. The usual plan (aliases, fallbacks, weights),
 * dispatch (retries, circuit breaker), relay, metering and limits then apply as for any
 * provider; failover between a site's appliances happens inside its hub, which knows their health.
 */
import type { Context } from "hono";
import type { Model } from "../../shared/api/schemas/models.ts";
import { type EdgeEnv, settings, siteHubs } from "../env.ts";
import { SITE_HUB_URL, siteTargetName } from "../providers/site/index.ts";
import type { SiteCredentials, Transport } from "../providers/types.ts";
import { openStore } from "../store/db.ts";
import type { ApplianceStatus } from "./connections.ts";
import { HUB_HEADERS } from "./hub-headers.ts";
import { findUsableSite, siteNameFor, usableSites } from "./store.ts";

/** A site's Durable Object stub. */
export function siteHub(c: Context<EdgeEnv>, siteId: string) {
  const hubs = siteHubs(c);
  return hubs.get(hubs.idFromName(siteId));
}

/**
 * The transport of a site's targets: each call reaches the hub with its deadline and an id, and
 * a call the relay aborts (the client went away, time ran out) is cancelled down the link.
 */
function hubTransport(c: Context<EdgeEnv>, siteId: string, now: () => number): Transport {
  const stub = siteHub(c, siteId);
  return (timeoutMs) => (input, init) => {
    const id = crypto.randomUUID();
    const headers = new Headers(init?.headers);
    headers.set(HUB_HEADERS.deadline, String(now() + timeoutMs));
    headers.set(HUB_HEADERS.requestId, id);
    // An aborted subrequest alone does not reach the hub: tell it, so it sends `cancel`.
    init?.signal?.addEventListener("abort", () => {
      const cancel = stub.fetch(`${SITE_HUB_URL}/cancel?id=${id}`, { method: "POST" });
      waitUntil(
        c,
        cancel.catch(() => {}),
      );
    });
    const { signal: _unused, ...rest } = init ?? {};
    return stub.fetch(new Request(input, { ...rest, headers }));
  };
}

/**
 * The sites among `names` (`<site>` of the caller's tenant, `<owner-tenant>.<site>` of another
 * that shared it) that the caller may use, each with its hub as transport; a name the caller
 * may not use is absent, as one that does not exist.
 */
export async function usableSiteTargets(
  c: Context<EdgeEnv>,
  names: readonly string[],
  now: () => number,
): Promise<Map<string, SiteCredentials>> {
  const found = new Map<string, SiteCredentials>();
  if (names.length === 0) return found;
  const db = await openStore(settings(c).database);
  const tenantId = c.get("principal").tenantId;
  for (const name of names) {
    const site = await findUsableSite(db, name, tenantId);
    if (!site) continue;
    found.set(name, {
      baseUrl: SITE_HUB_URL,
      apiKey: "link",
      // One circuit per site, whatever name a tenant gives it.
      owner: site.id,
      transport: hubTransport(c, site.id, now),
    });
  }
  return found;
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
    const res = await siteHub(c, siteId).fetch(`${SITE_HUB_URL}/status`);
    return (await res.json()) as ApplianceStatus[];
  } catch (err) {
    console.warn(`site ${siteId}: status failed:`, err instanceof Error ? err.message : err);
    return [];
  }
}

/** The models of every site the caller may use, served by an online appliance. */
export async function listSiteModels(c: Context<EdgeEnv>, now: number): Promise<Model[]> {
  const db = await openStore(settings(c).database);
  const tenantId = c.get("principal").tenantId;
  const sites = await usableSites(db, tenantId);
  const lists = await Promise.all(
    sites.map(async (site) => {
      const ids = new Set<string>();
      for (const appliance of await siteStatus(c, site.id)) {
        if (appliance.online) for (const m of appliance.models) ids.add(m.id);
      }
      return [...ids].sort().map((id) => ({
        id: siteTargetName(siteNameFor(site, tenantId), id),
        object: "model" as const,
        created: Math.floor(now / 1000),
        owned_by: site.tenantId,
      }));
    }),
  );
  return lists.flat();
}
