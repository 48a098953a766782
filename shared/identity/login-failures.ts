/**
 * Sign-in throttling, the same on both halves (the edge's `POST /v1/auth/token`, the appliance
 * panel's login): failures counted per tenant and username, whether or not that user exists (a
 * lockout does not tell which names are real), in one atomic upsert; after `maxFailures` in a
 * row the name is locked for `lockMs`. Kept in the database, so a restart resets nothing.
 */
import { and, eq, sql } from "drizzle-orm";
import type { AnySqliteDb } from "../db/audit.ts";
import { loginFailures } from "../db/schema/index.ts";

/** Lockout policy. */
export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

/** When the name's lock ends, or null when sign-ins are allowed now. */
export async function lockedUntil(
  db: AnySqliteDb,
  tenantId: string,
  username: string,
  now: Date,
): Promise<Date | null> {
  const [row]: { lockedUntil: Date | null }[] = await db
    .select({ lockedUntil: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(and(eq(loginFailures.tenantId, tenantId), eq(loginFailures.username, username)))
    .limit(1);
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** Counts a failure; returns when the name is now locked until (this failure locked it), or null. */
export async function recordLoginFailure(
  db: AnySqliteDb,
  tenantId: string,
  username: string,
  policy: LockoutPolicy,
  now: Date,
): Promise<Date | null> {
  const until = new Date(now.getTime() + policy.lockMs);
  // The count restarts at 1 after a lock; reaching the maximum sets a new lock and resets it.
  const reached = sql`${loginFailures.failures} + 1 >= ${policy.maxFailures}`;
  const [row]: { lockedUntil: Date | null }[] = await db
    .insert(loginFailures)
    .values({
      tenantId,
      username,
      failures: 1,
      lockedUntil: policy.maxFailures <= 1 ? until : null,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [loginFailures.tenantId, loginFailures.username],
      set: {
        lockedUntil: sql`CASE WHEN ${reached} THEN ${until.getTime()} ELSE ${loginFailures.lockedUntil} END`,
        failures: sql`CASE WHEN ${reached} THEN 0 ELSE ${loginFailures.failures} + 1 END`,
        updatedAt: now,
      },
    })
    .returning({ lockedUntil: loginFailures.lockedUntil });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** Forgets the failures after a successful sign-in. */
export async function clearLoginFailures(
  db: AnySqliteDb,
  tenantId: string,
  username: string,
): Promise<void> {
  await db
    .delete(loginFailures)
    .where(and(eq(loginFailures.tenantId, tenantId), eq(loginFailures.username, username)));
}
