import { z } from "@hono/zod-openapi";
import { LinkModel } from "../../protocol/index.ts";

/**
 * A site id: unique within its tenant (two tenants may each have `plant-a`); the owner's
 * requests name it `site:<id>/<model>`, a tenant it is shared with `site:<owner-tenant>.<id>/<model>`.
 */
export const SiteId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and dashes, at most 63")
  .openapi({ example: "plant-a" });

/** `POST /v1/admin/sites` body. */
export const CreateSiteRequest = z.object({ id: SiteId }).openapi("CreateSiteRequest");
export type CreateSiteRequest = z.infer<typeof CreateSiteRequest>;

/** A new site, owned by the caller's tenant. */
export const SiteInfo = z
  .object({
    id: z.string(),
    object: z.literal("site"),
    tenant_id: z.string(),
    created_at: z.number().int(),
  })
  .openapi("Site");
export type SiteInfo = z.infer<typeof SiteInfo>;

/** One enrolled appliance of a site, with what its live link last reported. */
export const SiteAppliance = z
  .object({
    id: z.string(),
    name: z.string(),
    enrolled_at: z.number().int(),
    revoked_at: z.number().int().nullable(),
    status: z.enum(["online", "offline", "revoked"]),
    /** Epoch ms of its last heartbeat; null without a link. */
    last_heartbeat: z.number().int().nullable(),
    /** The agreed protocol version; null before the hello or without a link. */
    protocol: z.number().int().nullable(),
    version: z.string().nullable(),
    models: z.array(LinkModel),
    capacity: z.number().int().nullable(),
    load: z
      .object({ active: z.number().int(), queued: z.number().int(), in_flight: z.number().int() })
      .nullable(),
  })
  .openapi("SiteAppliance");
export type SiteAppliance = z.infer<typeof SiteAppliance>;

/** A site the caller may use: its appliances when the caller's tenant owns it, else none. */
export const SiteOverview = z
  .object({
    /** As the caller names it in `site:<id>/<model>`: `<owner-tenant>.<site>` when shared. */
    id: z.string(),
    object: z.literal("site"),
    owned: z.boolean(),
    appliances: z.array(SiteAppliance),
  })
  .openapi("SiteOverview");
export type SiteOverview = z.infer<typeof SiteOverview>;

export const SiteList = z
  .object({ object: z.literal("list"), data: z.array(SiteOverview) })
  .openapi("SiteList");
export type SiteList = z.infer<typeof SiteList>;

/** `POST /v1/admin/sites/{site}/shares` body: the tenant that may use the site's models. */
export const ShareSiteRequest = z
  .object({ tenant_id: z.string().min(1).max(128) })
  .openapi("ShareSiteRequest");
export type ShareSiteRequest = z.infer<typeof ShareSiteRequest>;

export const SiteShare = z
  .object({ site_id: z.string(), tenant_id: z.string(), object: z.literal("site_share") })
  .openapi("SiteShare");
export type SiteShare = z.infer<typeof SiteShare>;

/** `POST /v1/admin/sites/{site}/enrollment-codes` body. */
export const IssueEnrollmentCodeRequest = z
  .object({
    expires_in_seconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(3600),
  })
  .openapi("IssueEnrollmentCodeRequest");
export type IssueEnrollmentCodeRequest = z.input<typeof IssueEnrollmentCodeRequest>;

/** A one-time enrollment code: in this answer only, never in the audit log. */
export const EnrollmentCode = z
  .object({ site_id: z.string(), code: z.string(), expires_at: z.number().int() })
  .openapi("EnrollmentCode");
export type EnrollmentCode = z.infer<typeof EnrollmentCode>;

export const ApplianceRevoked = z
  .object({ id: z.string(), object: z.literal("appliance"), revoked: z.literal(true) })
  .openapi("ApplianceRevoked");
export type ApplianceRevoked = z.infer<typeof ApplianceRevoked>;
