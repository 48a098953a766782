/**
 * GDPR-style erasure of a data subject (an identifier found in generated data, seed rows and
 * the audit log) or of a whole tenant, across SQLite and the archives. Order, so that nothing
 * is forgotten after a crash: mark pending, log the erasure (outside the database), delete in
 * one transaction together with the audit record, rewrite the archives, clear the mark.
 * Deleted content is overwritten (`secure_delete`) and the WAL truncated, so no copy of it
 * stays in the database files; backups taken before keep it until retention drops them, and a
 * restore of one replays the log ({@link reapplyErasures}).
 */
import { createHash, randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import {
  deleteArchivedRows,
  listArchives,
  readArchive,
  recoverPendingArchives,
  rewriteArchive,
  withArchiveLock,
} from "./archive-files.ts";
import {
  appendErasure,
  clearErasuresPending,
  type ErasureEntry,
  type ErasureTarget,
  markErasuresPending,
  readErasureLog,
} from "./erasure-log.ts";
import { type ArchiveLine, subjectColumns } from "./kinds.ts";
import { subjectMatcher } from "./subject-match.ts";

/** Who asked, for the audit log. */
export interface ErasureActor {
  kind: "user" | "api_key" | "token" | "system";
  id: string;
}

/** What one erasure removed. */
export interface ErasureResult {
  entry: ErasureEntry;
  /** Rows deleted per table (rows removed by cascade from a deleted job are not counted). */
  tables: Record<string, number>;
  archiveLines: number;
  archivesRewritten: number;
}

/** Options of {@link eraseData}. */
export interface EraseOptions {
  sqlite: Database.Database;
  dataDir: string;
  target: ErasureTarget;
  actor?: ErasureActor;
  now?: () => Date;
  /** How long to wait for a scheduled archive run to finish. */
  waitForLockMs?: number;
}

const MENTIONS = "textnlp_mentions";

/** The audit target: a tenant by id, a subject only by a hash (the log must not re-leak it). */
function auditTarget(target: ErasureTarget): string {
  if ("tenant" in target) return `tenant:${target.tenant}`;
  const hash = createHash("sha256").update(target.subject.trim().toLowerCase()).digest("hex");
  return `subject:sha256:${hash.slice(0, 16)}`;
}

function deleteSubjectRows(sqlite: Database.Database, subject: string): Record<string, number> {
  const matches = subjectMatcher(subject);
  sqlite.function(MENTIONS, { deterministic: true }, (value: unknown) => (matches(value) ? 1 : 0));
  const counts: Record<string, number> = {};
  // Children before jobs: a job named in its own parameters then takes the rest by cascade.
  for (const table of ["samples", "job_rows", "seed_rows", "audit_log", "jobs"]) {
    const columns = subjectColumns[table] ?? [];
    const where = columns.map((c) => `${MENTIONS}(${c})`).join(" OR ");
    counts[table] = sqlite.prepare(`DELETE FROM ${table} WHERE ${where}`).run().changes;
  }
  return counts;
}

function deleteTenantRows(sqlite: Database.Database, tenant: string): Record<string, number> {
  const statements: [string, string][] = [
    ["samples", "DELETE FROM samples WHERE job_id IN (SELECT id FROM jobs WHERE tenant_id = ?)"],
    ["job_rows", "DELETE FROM job_rows WHERE job_id IN (SELECT id FROM jobs WHERE tenant_id = ?)"],
    [
      "seed_rows",
      "DELETE FROM seed_rows WHERE set_id IN (SELECT id FROM seed_sets WHERE tenant_id = ?)",
    ],
    ["jobs", "DELETE FROM jobs WHERE tenant_id = ?"],
    ["seed_sets", "DELETE FROM seed_sets WHERE tenant_id = ?"],
    ["templates", "DELETE FROM templates WHERE tenant_id = ?"],
    ["api_keys", "DELETE FROM api_keys WHERE tenant_id = ?"],
    ["provider_keys", "DELETE FROM provider_keys WHERE tenant_id = ?"],
    ["users", "DELETE FROM users WHERE tenant_id = ?"],
    ["usage_events", "DELETE FROM usage_events WHERE tenant_id = ?"],
    ["audit_log", "DELETE FROM audit_log WHERE tenant_id = ?"],
    ["tenants", "DELETE FROM tenants WHERE id = ?"],
  ];
  const counts: Record<string, number> = {};
  for (const [table, sql] of statements) counts[table] = sqlite.prepare(sql).run(tenant).changes;
  return counts;
}

/** The lines of one archive that an erasure keeps (mirroring the database's cascade). */
function keptLines(lines: ArchiveLine[], target: ErasureTarget): ArchiveLine[] {
  if ("tenant" in target) return lines.filter((l) => l.tenant !== target.tenant);
  const matches = subjectMatcher(target.subject);
  const hit = (l: ArchiveLine) =>
    (subjectColumns[l.table] ?? []).some((column) => matches(l.row[column]));
  const goneJobs = new Set(lines.filter((l) => l.table === "jobs" && hit(l)).map((l) => l.row.id));
  return lines.filter((l) => !hit(l) && !(l.table !== "jobs" && goneJobs.has(l.row.job_id)));
}

/** Applies one logged erasure to the database and the archives; safe to repeat. */
function applyErasure(
  options: Omit<EraseOptions, "target">,
  entry: ErasureEntry,
  replay: boolean,
): ErasureResult {
  const { sqlite, dataDir } = options;
  const actor = options.actor ?? { kind: "system", id: "textnlp-appliance data erase" };
  return withArchiveLock(dataDir, options.waitForLockMs ?? 120_000, () => {
    // A pending archive holds rows still in the database: settle it before rewriting archives.
    recoverPendingArchives(sqlite, dataDir);
    let archiveLines = 0;
    let archivesRewritten = 0;
    const secureDelete = sqlite.pragma("secure_delete", { simple: true });
    sqlite.pragma("secure_delete = ON");
    try {
      const tables = sqlite
        .transaction(() => {
          const counts =
            "tenant" in entry.target
              ? deleteTenantRows(sqlite, entry.target.tenant)
              : deleteSubjectRows(sqlite, entry.target.subject);
          sqlite
            .prepare(
              `INSERT OR IGNORE INTO audit_log
                 (id, tenant_id, actor_kind, actor_id, action, target, detail, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              entry.auditId,
              "tenant" in entry.target ? entry.target.tenant : "*",
              actor.kind,
              actor.id,
              "tenant" in entry.target ? "tenant.erase" : "subject.erase",
              auditTarget(entry.target),
              JSON.stringify({ erasure: entry.id, rows: counts, ...(replay ? { replay } : {}) }),
              Date.parse(entry.at),
            );
          return counts;
        })
        .immediate();
      for (const file of listArchives(dataDir)) {
        const lines = readArchive(file.path);
        const kept = keptLines(lines, entry.target);
        if (kept.length === lines.length) continue;
        rewriteArchive(file.path, kept);
        archiveLines += lines.length - kept.length;
        archivesRewritten++;
      }
      // Push the overwritten pages into the database file and empty the WAL, which still
      // holds the old page images.
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
      return { entry, tables, archiveLines, archivesRewritten };
    } finally {
      sqlite.pragma(`secure_delete = ${secureDelete ? "ON" : "OFF"}`);
    }
  });
}

/**
 * Erases a subject or a tenant everywhere on this appliance and records it in the audit log
 * (the subject only as a hash) and in the erasure log.
 */
export function eraseData(options: EraseOptions): ErasureResult {
  const { dataDir, target } = options;
  if ("subject" in target)
    subjectMatcher(target.subject); // rejects a too-short identifier
  else if (!target.tenant.trim()) throw new RangeError("a tenant id is required");
  const entry: ErasureEntry = {
    id: `er_${randomUUID()}`,
    at: (options.now ?? (() => new Date()))().toISOString(),
    target: "subject" in target ? { subject: target.subject.trim() } : target,
    auditId: `aud_${randomUUID()}`,
  };
  markErasuresPending(dataDir);
  appendErasure(dataDir, entry);
  const result = applyErasure(options, entry, false);
  clearErasuresPending(dataDir);
  return result;
}

/**
 * Replays every logged erasure (after a restore brought back older data), and drops from the
 * database rows that are already archived (the restored copy predates their archiving), so
 * the hot and warm tiers do not hold the same row twice. Clears the pending mark.
 */
export function reapplyErasures(options: Omit<EraseOptions, "target">): {
  replayed: number;
  archivedRowsDropped: number;
} {
  const { sqlite, dataDir } = options;
  const entries = readErasureLog(dataDir);
  for (const entry of entries) applyErasure(options, entry, true);
  const archivedRowsDropped = withArchiveLock(dataDir, options.waitForLockMs ?? 120_000, () => {
    recoverPendingArchives(sqlite, dataDir);
    let dropped = 0;
    for (const file of listArchives(dataDir)) {
      const lines = readArchive(file.path);
      dropped += sqlite.transaction(() => deleteArchivedRows(sqlite, lines)).immediate();
    }
    return dropped;
  });
  clearErasuresPending(dataDir);
  return { replayed: entries.length, archivedRowsDropped };
}
