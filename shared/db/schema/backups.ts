import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const backupKinds = ["hourly", "daily", "weekly", "manual"] as const;
export type BackupKind = (typeof backupKinds)[number];
/** `pruned`: removed by retention (the row stays as history); `failed`: never usable. */
export const backupStatuses = ["ok", "failed", "pruned"] as const;
export type BackupStatus = (typeof backupStatuses)[number];
/**
 * The offsite copy of a backup: `pending` until uploaded and verified (retried, and resumed at
 * the next start), `uploaded`, or `failed` after its last attempt (retried with the next
 * backup); null where no remote store is configured.
 */
export const remoteStatuses = ["pending", "uploaded", "failed"] as const;
export type RemoteStatus = (typeof remoteStatuses)[number];

/** Backups of the appliance database (appliance only: the edge's D1 has its own). */
export const backups = sqliteTable(
  "backups",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: backupKinds }).notNull(),
    status: text("status", { enum: backupStatuses }).notNull(),
    /** Absolute path of the backup file. */
    file: text("file").notNull(),
    /** sha256 (hex) of the file as written (after encryption). */
    sha256: text("sha256"),
    sizeBytes: integer("size_bytes"),
    encrypted: integer("encrypted", { mode: "boolean" }).notNull().default(false),
    /** Rows per table in the snapshot, checked again at restore. */
    rowCounts: text("row_counts", { mode: "json" }).$type<Record<string, number>>(),
    error: text("error"),
    /** The snapshot's time (from the injected clock, so retention is testable). */
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    durationMs: integer("duration_ms"),
    remoteStatus: text("remote_status", { enum: remoteStatuses }),
    /** Why the last upload attempt failed (kept until one succeeds). */
    remoteError: text("remote_error"),
    remoteUploadedAt: integer("remote_uploaded_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("backups_kind_idx").on(t.kind, t.createdAt)],
);

export type BackupRow = typeof backups.$inferSelect;
