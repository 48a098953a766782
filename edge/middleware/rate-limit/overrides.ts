/** Tenant admins' overrides of the plan, in D1 (`limit_overrides`), always within one tenant. */
import { and, eq, inArray } from "drizzle-orm";
import {
  apiKeys,
  type LimitOverrideValues,
  limitOverrides,
} from "../../../shared/db/schema/index.ts";
import { IsolateCache, perDatabase } from "../../lib/isolate-cache.ts";
import type { EdgeDb } from "../../store/types.ts";

/** The `subject` of the tenant-wide row (key rows carry the key's id). */
export const TENANT_SUBJECT = "tenant";

/** The overrides of a tenant and, when given, one of its keys (null where none is set). */
export interface Overrides {
  tenant: LimitOverrideValues | null;
  key: LimitOverrideValues | null;
}

/** The overrides for a tenant and, when given, one of its keys (null where none is set). */
export async function readOverrides(
  db: EdgeDb,
  tenantId: string,
  keyId: string | null,
): Promise<Overrides> {
  const subjects = keyId ? [TENANT_SUBJECT, keyId] : [TENANT_SUBJECT];
  const rows = await db
    .select({ subject: limitOverrides.subject, limits: limitOverrides.limits })
    .from(limitOverrides)
    .where(and(eq(limitOverrides.tenantId, tenantId), inArray(limitOverrides.subject, subjects)));
  const find = (subject: string | null) => rows.find((r) => r.subject === subject)?.limits ?? null;
  return { tenant: find(TENANT_SUBJECT), key: find(keyId) };
}

/** Sets (replaces) the override of `subject` in `tenantId`. */
export async function putOverride(
  db: EdgeDb,
  tenantId: string,
  subject: string,
  limits: LimitOverrideValues,
  now: Date,
): Promise<void> {
  await db
    .insert(limitOverrides)
    .values({ tenantId, subject, limits, updatedAt: now })
    .onConflictDoUpdate({
      target: [limitOverrides.tenantId, limitOverrides.subject],
      set: { limits, updatedAt: now },
    });
}

/** Removes the override of `subject` in `tenantId`; false when there was none. */
export async function deleteOverride(
  db: EdgeDb,
  tenantId: string,
  subject: string,
): Promise<boolean> {
  const gone = await db
    .delete(limitOverrides)
    .where(and(eq(limitOverrides.tenantId, tenantId), eq(limitOverrides.subject, subject)))
    .returning({ subject: limitOverrides.subject });
  return gone.length > 0;
}

/** True when `keyId` is a key of `tenantId` (revoked keys too: their limits stay readable). */
export async function isTenantKey(db: EdgeDb, tenantId: string, keyId: string): Promise<boolean> {
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)))
    .limit(1);
  return rows.length > 0;
}

/** How long an isolate reuses overrides it read: a change elsewhere applies within this. */
export const OVERRIDES_TTL_MS = 10_000;
const cacheOf = perDatabase(() => new IsolateCache<Overrides>(OVERRIDES_TTL_MS, 10_000));

/**
 * {@link readOverrides} through a short per-isolate cache, so a call does not pay a D1 read;
 * this isolate's own changes drop their entries at once ({@link forgetOverrides}).
 */
export async function readOverridesCached(
  db: EdgeDb,
  tenantId: string,
  keyId: string | null,
  now: number,
): Promise<Overrides> {
  const cache = cacheOf(db);
  const name = `${tenantId}\n${keyId ?? ""}`;
  const hit = cache.get(name, now);
  if (hit) return hit;
  const overrides = await readOverrides(db, tenantId, keyId);
  cache.set(name, overrides, now);
  return overrides;
}

/** Drops this isolate's cached overrides of `tenantId` (after an admin changed them). */
export function forgetOverrides(db: EdgeDb, tenantId: string): void {
  cacheOf(db).forget((name) => name.startsWith(`${tenantId}\n`));
}
