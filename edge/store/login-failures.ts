/**
 * Sign-in throttling (D1 or libSQL): failures counted per tenant and username in one atomic
 * upsert; after `maxFailures` in a row the name is locked for `lockMs`.
 */
import { and, eq, sql } from "drizzle-orm";
import { loginFailures } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** Lockout policy. */
export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

/** When the name's lock ends, or null when sign-ins are allowed now. */
export async function lockedUntil(
  db: EdgeDb,
  tenantId: string,
  username: string,
  now: Date,
): Promise<Date | null> {
  const [row] = await db
    .select({ lockedUntil: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(and(eq(loginFailures.tenantId, tenantId), eq(loginFailures.username, username)))
    .limit(1);
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** Counts a failure; returns when the name is now locked until, or null. */
export async function recordLoginFailure(
  db: EdgeDb,
  tenantId: string,
  username: string,
  policy: LockoutPolicy,
  now: Date,
): Promise<Date | null> {
  const until = new Date(now.getTime() + policy.lockMs);
  // The count restarts at 1 after a lock; reaching the maximum sets a new lock and resets it.
  const reached = sql`${loginFailures.failures} + 1 >= ${policy.maxFailures}`;
  const [row] = await db
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
  db: EdgeDb,
  tenantId: string,
  username: string,
): Promise<void> {
  await db
    .delete(loginFailures)
    .where(and(eq(loginFailures.tenantId, tenantId), eq(loginFailures.username, username)));
}
