/** Tenants as the identity queries need them: created on first use. */
import type { AnySqliteDb } from "../db/audit.ts";
import { tenants } from "../db/schema/index.ts";

/** Creates the tenant (named after its id) if it does not exist. */
export async function ensureTenant(db: AnySqliteDb, id: string, now: Date): Promise<void> {
  await db.insert(tenants).values({ id, name: id, createdAt: now }).onConflictDoNothing();
}
