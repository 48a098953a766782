import { desc, eq, inArray, ne } from "drizzle-orm";
import { backups } from "../../../shared/db/schema/backups.ts";
import type { Db } from "../db.ts";

/**
 * The time of the newest usable backup and the outcome of the latest attempt (pruned backups
 * were good ones: they count as `ok`).
 */
export function latestBackupState(db: Db): {
  lastOkAt: number | null;
  lastResult: "ok" | "failed" | null;
  /** When the newest verified offsite copy went up, or null. */
  remoteLastOkAt: number | null;
  /** The newest settled offsite upload's outcome, or null when none settled. */
  remoteLastResult: "uploaded" | "failed" | null;
} {
  const lastOk = db
    .select({ createdAt: backups.createdAt })
    .from(backups)
    .where(ne(backups.status, "failed"))
    .orderBy(desc(backups.createdAt))
    .limit(1)
    .get();
  const latest = db
    .select({ status: backups.status })
    .from(backups)
    .orderBy(desc(backups.createdAt))
    .limit(1)
    .get();
  const remoteOk = db
    .select({ at: backups.remoteUploadedAt })
    .from(backups)
    .where(eq(backups.remoteStatus, "uploaded"))
    .orderBy(desc(backups.remoteUploadedAt))
    .limit(1)
    .get();
  const remoteLatest = db
    .select({ status: backups.remoteStatus })
    .from(backups)
    .where(inArray(backups.remoteStatus, ["uploaded", "failed"]))
    .orderBy(desc(backups.createdAt))
    .limit(1)
    .get();
  return {
    lastOkAt: lastOk ? lastOk.createdAt.getTime() : null,
    lastResult: latest ? (latest.status === "failed" ? "failed" : "ok") : null,
    remoteLastOkAt: remoteOk?.at ? remoteOk.at.getTime() : null,
    remoteLastResult: (remoteLatest?.status as "uploaded" | "failed" | undefined) ?? null,
  };
}

/** A backup by id. */
export function getBackup(db: Db, id: string) {
  return db.select().from(backups).where(eq(backups.id, id)).get();
}
