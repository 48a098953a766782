/**
 * Moves rows past their hot window from SQLite to the warm tier. Per batch, in one immediate
 * transaction: read the rows, write the archive (pending, fsynced), delete exactly those rows,
 * commit; then rename the archive to its final name. A crash before the commit leaves the rows
 * in SQLite and a pending file that the next run finishes; a crash after it leaves only the
 * rename to do. Either way every row ends up in exactly one archive and nowhere else.
 */
import type Database from "better-sqlite3";
import {
  deleteArchivedRows,
  finishArchive,
  recoverPendingArchives,
  withArchiveLock,
  writePendingArchive,
} from "./archive-files.ts";
import type { ArchivedTable, ArchiveLine, DataKind } from "./kinds.ts";

/** Hot windows in days per kind; 0 keeps that kind in SQLite forever. */
export type HotWindows = Record<DataKind, number>;

/** Options of {@link archiveExpired}. */
export interface ArchiveOptions {
  sqlite: Database.Database;
  dataDir: string;
  windows: HotWindows;
  /** The clock; injected by tests. */
  now?: () => Date;
  /** Rows per archive file for logs; jobs per file for generations. */
  batchSize?: number;
  /** How long to wait for another archive operation (the daemon does not wait). */
  waitForLockMs?: number;
  /** Stop after this many files (the daemon archives a batch at a time between requests). */
  maxFiles?: number;
}

/** One archive file written. */
export interface ArchiveWritten {
  kind: DataKind;
  path: string;
  rows: Partial<Record<ArchivedTable, number>>;
}

/** What an archive run did. */
export interface ArchiveResult {
  files: ArchiveWritten[];
  /** Archives left pending by an earlier crash and finished now. */
  recovered: number;
}

const DAY_MS = 86_400_000;
const terminal = "('done', 'failed', 'cancelled')";

type Row = Record<string, unknown>;

/** Selects the next batch of one kind older than `cutoff` (ms), as archive lines. */
function nextBatch(
  sqlite: Database.Database,
  kind: DataKind,
  cutoff: number,
  size: number,
): ArchiveLine[] {
  if (kind === "generations") {
    const jobs = sqlite
      .prepare(
        `SELECT * FROM jobs WHERE status IN ${terminal}
           AND coalesce(finished_at, created_at) < ?
         ORDER BY coalesce(finished_at, created_at), id LIMIT ?`,
      )
      .all(cutoff, size) as Row[];
    const rowsOf = sqlite.prepare("SELECT * FROM job_rows WHERE job_id = ? ORDER BY row_index");
    const samplesOf = sqlite.prepare("SELECT * FROM samples WHERE job_id = ? ORDER BY id");
    return jobs.flatMap((job) => {
      const tenant = job.tenant_id as string;
      return [
        { table: "jobs" as const, tenant, row: job },
        ...(rowsOf.all(job.id) as Row[]).map((row) => ({
          table: "job_rows" as const,
          tenant,
          row,
        })),
        ...(samplesOf.all(job.id) as Row[]).map((row) => ({
          table: "samples" as const,
          tenant,
          row,
        })),
      ];
    });
  }
  const table = kind === "usage" ? "usage_events" : "audit_log";
  return (
    sqlite
      .prepare(`SELECT * FROM ${table} WHERE created_at < ? ORDER BY created_at, id LIMIT ?`)
      .all(cutoff, size) as Row[]
  ).map((row) => ({ table, tenant: row.tenant_id as string, row }));
}

/**
 * Archives every row past its kind's hot window, in batches, and finishes archives an earlier
 * crash left pending. Safe to run beside the daemon (SQLite WAL) and to repeat.
 */
export function archiveExpired(options: ArchiveOptions): ArchiveResult {
  const {
    sqlite,
    dataDir,
    windows,
    batchSize = 1000,
    maxFiles = Number.POSITIVE_INFINITY,
  } = options;
  const now = (options.now ?? (() => new Date()))();
  return withArchiveLock(dataDir, options.waitForLockMs ?? 0, () => {
    const recovered = recoverPendingArchives(sqlite, dataDir);
    const files: ArchiveWritten[] = [];
    for (const kind of Object.keys(windows) as DataKind[]) {
      const days = windows[kind];
      if (!(days > 0)) continue;
      const cutoff = now.getTime() - days * DAY_MS;
      while (files.length < maxFiles) {
        let pending = null as string | null;
        const lines = sqlite
          .transaction(() => {
            const batch = nextBatch(sqlite, kind, cutoff, batchSize);
            if (batch.length === 0) return batch;
            pending = writePendingArchive(dataDir, kind, now, batch);
            deleteArchivedRows(sqlite, batch);
            return batch;
          })
          .immediate();
        if (pending === null) break;
        const rows: ArchiveWritten["rows"] = {};
        for (const { table } of lines) rows[table] = (rows[table] ?? 0) + 1;
        files.push({ kind, path: finishArchive(pending), rows });
      }
    }
    return { files, recovered };
  });
}
