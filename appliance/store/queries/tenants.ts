import { tenants } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

/** The tenant of a single-site appliance. */
export const LOCAL_TENANT = "local";

/** Creates the tenant if it does not exist. */
export function ensureTenant(db: Db, id: string, name = id): void {
  db.insert(tenants).values({ id, name }).onConflictDoNothing().run();
}
