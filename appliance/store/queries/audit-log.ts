import { randomId } from "../../../shared/auth/api-keys.ts";
import { auditLog, type NewAuditEntry } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

/** Appends one entry to the audit log (id and time filled in). */
export function recordAudit(
  db: Db,
  entry: Omit<NewAuditEntry, "id" | "createdAt"> & { createdAt?: Date },
): void {
  db.insert(auditLog)
    .values({ id: randomId("aud_"), createdAt: new Date(), ...entry })
    .run();
}
