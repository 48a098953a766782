/**
 * The warm tier on disk: `<dataDir>/archive/<kind>/<kind>-<time>-<id>.jsonl.gz`, one JSON
 * {@link ArchiveLine} per line, gzip-compressed. A file is first written complete as
 * `….pending`, the archived rows are deleted from SQLite, then it is renamed to its final
 * name; a pending file found later means a crash came in between and is finished by
 * {@link recoverPendingArchives}. Every change to archives runs under {@link withArchiveLock}.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { renameDurable, writeFileAtomic } from "../store/atomic-file.ts";
import { type ArchiveLine, archivedTables, type DataKind, dataKinds } from "./kinds.ts";

const FINAL = ".jsonl.gz";
const PENDING = `${FINAL}.pending`;

/** Raised when another process holds the archive lock for longer than we wait. */
export class ArchiveBusyError extends Error {
  override name = "ArchiveBusyError";
}

/** The archive folder of a data directory. */
export const archiveRoot = (dataDir: string) => join(dataDir, "archive");

/** One archive file on disk. */
export interface ArchiveFile {
  kind: DataKind;
  path: string;
  bytes: number;
}

/** Final archive files, oldest first (names sort by time). */
export function listArchives(dataDir: string, kind?: DataKind): ArchiveFile[] {
  const out: ArchiveFile[] = [];
  for (const k of kind ? [kind] : dataKinds) {
    const dir = join(archiveRoot(dataDir), k);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith(FINAL)) continue;
      const path = join(dir, name);
      out.push({ kind: k, path, bytes: statSync(path).size });
    }
  }
  return out;
}

/** The lines of an archive file. */
export function readArchive(path: string): ArchiveLine[] {
  const text = gunzipSync(readFileSync(path)).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ArchiveLine);
}

function encode(lines: ArchiveLine[]): Buffer {
  return gzipSync(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
}

/** Writes a new archive as pending (complete and fsynced); returns its pending path. */
export function writePendingArchive(
  dataDir: string,
  kind: DataKind,
  at: Date,
  lines: ArchiveLine[],
): string {
  const dir = join(archiveRoot(dataDir), kind);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = at.toISOString().replaceAll(/[-:.]/g, "");
  const path = join(dir, `${kind}-${stamp}-${randomBytes(4).toString("hex")}${PENDING}`);
  writeFileAtomic(path, encode(lines));
  return path;
}

/** Makes a pending archive final. */
export function finishArchive(pendingPath: string): string {
  const path = pendingPath.slice(0, -".pending".length);
  renameDurable(pendingPath, path);
  return path;
}

/** Replaces an archive's lines (atomically), or removes the file when none are left. */
export function rewriteArchive(path: string, lines: ArchiveLine[]): void {
  if (lines.length === 0) rmSync(path, { force: true });
  else writeFileAtomic(path, encode(lines));
}

/**
 * Deletes from SQLite the rows an archive holds (by their keys); rows already gone are
 * skipped, so this is safe to repeat. Runs inside the caller's transaction if there is one.
 */
export function deleteArchivedRows(sqlite: Database.Database, lines: ArchiveLine[]): number {
  let deleted = 0;
  const statements = new Map<string, Database.Statement>();
  // Children first, so the counts are the rows each line stood for, not cascades.
  const order = ["samples", "job_rows", "jobs", "usage_events", "audit_log"];
  const sorted = [...lines].sort((a, b) => order.indexOf(a.table) - order.indexOf(b.table));
  for (const { table, row } of sorted) {
    const keys = archivedTables[table];
    let statement = statements.get(table);
    if (!statement) {
      statement = sqlite.prepare(
        `DELETE FROM ${table} WHERE ${keys.map((k) => `${k} = ?`).join(" AND ")}`,
      );
      statements.set(table, statement);
    }
    deleted += statement.run(...keys.map((k) => row[k])).changes;
  }
  return deleted;
}

/**
 * Finishes archives left pending by a crash (deleting their rows, then renaming them) and
 * removes half-written temporary files. Returns how many pending archives were finished.
 */
export function recoverPendingArchives(sqlite: Database.Database, dataDir: string): number {
  let recovered = 0;
  for (const kind of dataKinds) {
    const dir = join(archiveRoot(dataDir), kind);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.endsWith(".partial")) rmSync(path, { force: true });
      else if (name.endsWith(PENDING)) {
        const lines = readArchive(path);
        sqlite.transaction(() => deleteArchivedRows(sqlite, lines)).immediate();
        finishArchive(path);
        recovered++;
      }
    }
  }
  return recovered;
}

/**
 * Runs `fn` holding the archive lock: an exclusive transaction on a small SQLite file beside
 * the archives, so the daemon's scheduled archiving and a command-line erasure in another
 * process never rewrite the same file at once. Waits up to `waitMs`, then throws
 * {@link ArchiveBusyError}.
 */
export function withArchiveLock<T>(dataDir: string, waitMs: number, fn: () => T): T {
  mkdirSync(archiveRoot(dataDir), { recursive: true, mode: 0o700 });
  const lock = new Database(join(archiveRoot(dataDir), "lock.sqlite"));
  try {
    lock.pragma(`busy_timeout = ${Math.max(0, Math.floor(waitMs))}`);
    try {
      lock.exec("BEGIN EXCLUSIVE");
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_BUSY")
        throw new ArchiveBusyError(
          "another archive or erasure is running on this data directory; try again later",
        );
      throw err;
    }
    try {
      return fn();
    } finally {
      lock.exec("ROLLBACK");
    }
  } finally {
    lock.close();
  }
}
