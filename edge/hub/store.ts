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

/** Creates a site owned by `tenantId`; false when the id is taken. */
export async function createSite(db: EdgeDb, id: string, tenantId: string, at: Date) {
  const rows = await db
    .insert(sites)
    .values({ id, tenantId, createdAt: at })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

/** The site, when `tenantId` owns it or it is shared with `tenantId`. */
export async function findUsableSite(
  db: EdgeDb,
  siteId: string,
  tenantId: string,
): Promise<Site | null> {
  const site = (await db.select().from(sites).where(eq(sites.id, siteId)).limit(1))[0];
  if (!site) return null;
  if (site.tenantId === tenantId) return site;
  const share = await db
    .select()
    .from(siteShares)
    .where(and(eq(siteShares.siteId, siteId), eq(siteShares.tenantId, tenantId)))
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
    .orderBy(sites.id);
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
 * appliance; returns its credential, or null when the code is unknown, spent or expired.
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
  return { siteId, applianceId: id, credential };
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
