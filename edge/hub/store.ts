/**
 * Sites, their shares, enrollment codes and enrolled appliances in D1 (or libSQL). Secrets
 * (codes, credentials) are random and stored as SHA-256 only.
 */
import { and, eq, gt, inArray, isNull, or } from "drizzle-orm";
import { hashApiKey, randomId } from "../../shared/auth/api-keys.ts";
import {
  enrollmentCodes,
  type Site,
  type SiteAppliance,
  siteAppliances,
  siteShares,
  sites,
} from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "../store/types.ts";

/** Prefix of enrollment codes and of site credentials, so each is recognisable when leaked. */
export const ENROLLMENT_CODE_PREFIX = "tnle_";
export const SITE_CREDENTIAL_PREFIX = "tnls_";

const secret = (prefix: string) => randomId(prefix) + randomId();

/**
 * Creates a site named `name` owned by `tenantId`, with a new internal id; null when the tenant
 * already has a site of that name (another tenant's names are no concern of its).
 */
export async function createSite(db: EdgeDb, name: string, tenantId: string, at: Date) {
  const rows = await db
    .insert(sites)
    .values({ id: randomId("site_"), tenantId, name, createdAt: at })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

/** `tenantId`'s own site named `name`. */
export async function findOwnedSite(
  db: EdgeDb,
  name: string,
  tenantId: string,
): Promise<Site | null> {
  const rows = await db
    .select()
    .from(sites)
    .where(and(eq(sites.tenantId, tenantId), eq(sites.name, name)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * The name `tenantId` gives `site`: its own sites by name, a site shared with it as
 * `<owner-tenant>.<name>` (names have no dots, so the last dot splits).
 */
export function siteNameFor(site: Site, tenantId: string): string {
  return site.tenantId === tenantId ? site.name : `${site.tenantId}.${site.name}`;
}

/**
 * The site `tenantId` calls `name` (see {@link siteNameFor}), when it owns it or it is shared
 * with it; null otherwise, whether or not another tenant has a site of that name.
 */
export async function findUsableSite(
  db: EdgeDb,
  name: string,
  tenantId: string,
): Promise<Site | null> {
  const dot = name.lastIndexOf(".");
  const owner = dot < 0 ? tenantId : name.slice(0, dot);
  const site = await findOwnedSite(db, name.slice(dot + 1), owner);
  if (!site || site.tenantId === tenantId) return site;
  const share = await db
    .select()
    .from(siteShares)
    .where(and(eq(siteShares.siteId, site.id), eq(siteShares.tenantId, tenantId)))
    .limit(1);
  return share.length ? site : null;
}

/** Sites `tenantId` owns or may use. */
export async function usableSites(db: EdgeDb, tenantId: string): Promise<Site[]> {
  const shared = db
    .select({ id: siteShares.siteId })
    .from(siteShares)
    .where(eq(siteShares.tenantId, tenantId));
  return db
    .select()
    .from(sites)
    .where(or(eq(sites.tenantId, tenantId), inArray(sites.id, shared)))
    .orderBy(sites.tenantId, sites.name);
}

/** Lets `tenantId` use `siteId` (idempotent). */
export async function shareSite(db: EdgeDb, siteId: string, tenantId: string, at: Date) {
  await db.insert(siteShares).values({ siteId, tenantId, createdAt: at }).onConflictDoNothing();
}

/** Issues a one-time enrollment code for `siteId`; the code is returned once, stored hashed. */
export async function issueEnrollmentCode(db: EdgeDb, siteId: string, at: Date, ttlMs: number) {
  const code = secret(ENROLLMENT_CODE_PREFIX);
  const expiresAt = new Date(at.getTime() + ttlMs);
  await db
    .insert(enrollmentCodes)
    .values({ hash: await hashApiKey(code), siteId, createdAt: at, expiresAt });
  return { code, expiresAt };
}

/**
 * Spends `code` (once: the conditional update lets only one caller through) and enrolls an
 * appliance; returns its credential and its site (internal id and name), or null when the code
 * is unknown, spent or expired.
 */
export async function enrollAppliance(db: EdgeDb, code: string, name: string, at: Date) {
  const spent = await db
    .update(enrollmentCodes)
    .set({ usedAt: at })
    .where(
      and(
        eq(enrollmentCodes.hash, await hashApiKey(code)),
        isNull(enrollmentCodes.usedAt),
        gt(enrollmentCodes.expiresAt, at),
      ),
    )
    .returning({ siteId: enrollmentCodes.siteId });
  const siteId = spent[0]?.siteId;
  if (!siteId) return null;
  const credential = secret(SITE_CREDENTIAL_PREFIX);
  const id = randomId("app_");
  await db.insert(siteAppliances).values({
    id,
    siteId,
    name,
    credentialHash: await hashApiKey(credential),
    createdAt: at,
  });
  const site = await db.select({ name: sites.name }).from(sites).where(eq(sites.id, siteId));
  return { siteId, siteName: site[0]?.name ?? siteId, applianceId: id, credential };
}

/** The enrolled, unrevoked appliance holding `credential`, or null. */
export async function findApplianceByCredential(
  db: EdgeDb,
  credential: string,
): Promise<SiteAppliance | null> {
  const rows = await db
    .select()
    .from(siteAppliances)
    .where(
      and(
        eq(siteAppliances.credentialHash, await hashApiKey(credential)),
        isNull(siteAppliances.revokedAt),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/** The appliances enrolled in `siteId`, revoked ones included. */
export function siteAppliancesOf(db: EdgeDb, siteId: string): Promise<SiteAppliance[]> {
  return db
    .select()
    .from(siteAppliances)
    .where(eq(siteAppliances.siteId, siteId))
    .orderBy(siteAppliances.createdAt);
}

/** Revokes an appliance of `siteId`; false when there is none by that id. */
export async function revokeAppliance(db: EdgeDb, siteId: string, id: string, at: Date) {
  const rows = await db
    .update(siteAppliances)
    .set({ revokedAt: at })
    .where(and(eq(siteAppliances.siteId, siteId), eq(siteAppliances.id, id)))
    .returning({ id: siteAppliances.id });
  return rows.length > 0;
}
