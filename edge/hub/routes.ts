/**
 * The hub's HTTP side: the sites admin API (`admin:sites` scope, under /v1), enrollment of an
 * appliance with a one-time code, and the WebSocket an enrolled appliance dials
 * (`/link/v1/...`: outside /v1, authenticated by the site credential instead of an API key).
 */
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../../shared/api/errors.ts";
import type { SiteAppliance, SiteOverview } from "../../shared/api/schemas/sites.ts";
import {
  connectApplianceRoute,
  createSiteRoute,
  enrollApplianceRoute,
  issueEnrollmentCodeRoute,
  listSitesRoute,
  revokeApplianceRoute,
  shareSiteRoute,
} from "../../shared/api/site-routes.ts";
import { bearerToken } from "../../shared/auth/api-keys.ts";
import type { Site } from "../../shared/db/schema/index.ts";
import { type EdgeEnv, linkSettings, settings } from "../env.ts";
import { requireScope } from "../middleware/auth/index.ts";
import { recordAdminAction } from "../routes/admin/record.ts";
import { openStore } from "../store/db.ts";
import { HUB_HEADERS } from "./hub-headers.ts";
import { siteHub, siteStatus } from "./site-targets.ts";
import {
  createSite,
  enrollAppliance,
  findApplianceByCredential,
  findOwnedSite,
  issueEnrollmentCode,
  revokeAppliance,
  shareSite,
  siteAppliancesOf,
  siteNameFor,
  usableSites,
} from "./store.ts";

/**
 * A body the schema refuses answers as these routes always have: a 400 `invalid_request`
 * naming the first field at fault.
 */
function refuseInvalidBody(
  result: { success: true } | { success: false; error: z.ZodError },
): undefined {
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  const param = issue?.path.join(".") || null;
  throw new ApiError(400, `${param ?? "body"}: ${issue?.message ?? "invalid"}`, {
    param,
    code: "invalid_request",
  });
}

/**
 * The caller's tenant's site by name (sharing gives use, not administration). Another tenant's
 * site of that name is not looked at: the 404 is the same as for a name nobody has.
 */
async function ownedSite(c: Context<EdgeEnv>, name: string): Promise<Site> {
  const db = await openStore(settings(c).database);
  const site = await findOwnedSite(db, name, c.get("principal").tenantId);
  if (!site) {
    throw new ApiError(404, `No site '${name}' owned by this tenant.`, {
      code: "site_not_found",
    });
  }
  return site;
}

/** What the admin API says of one enrolled appliance, from its row and its live link. */
function applianceView(
  appliance: Awaited<ReturnType<typeof siteAppliancesOf>>[number],
  live: Awaited<ReturnType<typeof siteStatus>>,
): SiteAppliance {
  const link = live.find((l) => l.applianceId === appliance.id);
  return {
    id: appliance.id,
    name: appliance.name,
    enrolled_at: +appliance.createdAt,
    revoked_at: appliance.revokedAt ? +appliance.revokedAt : null,
    status: appliance.revokedAt ? "revoked" : link?.online ? "online" : "offline",
    last_heartbeat: link ? link.lastHeartbeat : null,
    protocol: link?.protocol ?? null,
    version: link?.version || null,
    models: link?.models ?? [],
    capacity: link?.capacity ?? null,
    load: link ? { ...link.load, in_flight: link.inFlight } : null,
  };
}

/** Mounts the admin API, enrollment and the link endpoint. */
export function mountHubRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.use("/v1/admin/sites", requireScope("admin:sites"));
  app.use("/v1/admin/sites/*", requireScope("admin:sites"));
  const store = (c: Context<EdgeEnv>) => openStore(settings(c).database);

  app.openapi(
    createSiteRoute,
    async (c) => {
      const { id } = c.req.valid("json");
      const db = await store(c);
      const site = await createSite(db, id, c.get("principal").tenantId, new Date(now()));
      if (!site) {
        throw new ApiError(409, `This tenant already has a site '${id}'.`, {
          code: "site_exists",
        });
      }
      await recordAdminAction(c, db, "site.create", `site:${site.name}`, {}, new Date(now()));
      return c.json(
        {
          id: site.name,
          object: "site" as const,
          tenant_id: site.tenantId,
          created_at: +site.createdAt,
        },
        201,
      );
    },
    refuseInvalidBody,
  );

  app.openapi(listSitesRoute, async (c) => {
    const db = await store(c);
    const tenantId = c.get("principal").tenantId;
    const sites = await usableSites(db, tenantId);
    const data = await Promise.all(
      sites.map(async (site): Promise<SiteOverview> => {
        const owned = site.tenantId === tenantId;
        const id = siteNameFor(site, tenantId);
        if (!owned) return { id, object: "site", owned, appliances: [] };
        const [enrolled, live] = await Promise.all([
          siteAppliancesOf(db, site.id),
          siteStatus(c, site.id),
        ]);
        const appliances = enrolled.map((a) => applianceView(a, live));
        return { id, object: "site", owned, appliances };
      }),
    );
    return c.json({ object: "list" as const, data }, 200);
  });

  app.openapi(
    shareSiteRoute,
    async (c) => {
      const site = await ownedSite(c, c.req.valid("param").site);
      const { tenant_id } = c.req.valid("json");
      const db = await store(c);
      await shareSite(db, site.id, tenant_id, new Date(now()));
      await recordAdminAction(
        c,
        db,
        "site.share",
        `site:${site.name}`,
        { tenant_id },
        new Date(now()),
      );
      return c.json({ site_id: site.name, tenant_id, object: "site_share" as const }, 201);
    },
    refuseInvalidBody,
  );

  app.openapi(
    issueEnrollmentCodeRoute,
    async (c) => {
      const site = await ownedSite(c, c.req.valid("param").site);
      const { expires_in_seconds } = c.req.valid("json");
      const db = await store(c);
      const issued = await issueEnrollmentCode(
        db,
        site.id,
        new Date(now()),
        expires_in_seconds * 1000,
      );
      await recordAdminAction(
        c,
        db,
        "site.enrollment_code",
        `site:${site.name}`,
        { expires_at: +issued.expiresAt },
        new Date(now()),
      );
      // The code is in this answer only (never in the audit log).
      return c.json({ site_id: site.name, code: issued.code, expires_at: +issued.expiresAt }, 201);
    },
    refuseInvalidBody,
  );

  app.openapi(revokeApplianceRoute, async (c) => {
    const params = c.req.valid("param");
    const site = await ownedSite(c, params.site);
    const applianceId = params.appliance;
    const db = await store(c);
    if (!(await revokeAppliance(db, site.id, applianceId, new Date(now())))) {
      throw new ApiError(404, `No appliance '${applianceId}' in site '${site.name}'.`, {
        code: "appliance_not_found",
      });
    }
    // Its live link, if any, is closed now (a revoked credential cannot dial in again).
    await siteHub(c, site.id).fetch(
      `https://site-hub.internal/revoke?appliance=${encodeURIComponent(applianceId)}`,
      { method: "POST" },
    );
    await recordAdminAction(
      c,
      db,
      "appliance.revoke",
      `appliance:${applianceId}`,
      { site_id: site.name },
      new Date(now()),
    );
    return c.json({ id: applianceId, object: "appliance" as const, revoked: true as const }, 200);
  });

  app.openapi(
    enrollApplianceRoute,
    async (c) => {
      const { code, name } = c.req.valid("json");
      const enrolled = await enrollAppliance(await store(c), code, name, new Date(now()));
      if (!enrolled) {
        throw new ApiError(401, "The enrollment code is unknown, already used or expired.", {
          code: "invalid_enrollment_code",
        });
      }
      // The credential is in this answer only; the edge keeps its hash. The site is named as
      // its owner names it (its internal id stays on the edge).
      return c.json(
        {
          site_id: enrolled.siteName,
          appliance_id: enrolled.applianceId,
          credential: enrolled.credential,
        },
        201,
      );
    },
    refuseInvalidBody,
  );

  app.openapi(connectApplianceRoute, async (c) => {
    const credential = bearerToken(c.req.header("authorization"));
    const appliance = credential
      ? await findApplianceByCredential(await store(c), credential)
      : null;
    if (!appliance) {
      throw new ApiError(401, "Unknown or revoked site credential.", {
        code: "invalid_site_credential",
      });
    }
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(400, "Expected a WebSocket upgrade.", { code: "upgrade_required" });
    }
    const headers = new Headers(c.req.raw.headers);
    headers.set(HUB_HEADERS.applianceId, appliance.id);
    headers.set(HUB_HEADERS.heartbeatMs, String(linkSettings(c).heartbeatMs));
    headers.delete("authorization");
    return siteHub(c, appliance.siteId).fetch("https://site-hub.internal/connect", { headers });
  });
}
