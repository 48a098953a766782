/**
 * One backup: an online copy of the live database (SQLite's backup API, so the daemon keeps
 * serving), verified, optionally encrypted, written atomically with a JSON manifest beside it.
 * The manifest makes a backup restorable on its own, even when the database that recorded it
 * is the thing being replaced.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import Database from "better-sqlite3";
import type { BackupKind } from "../../shared/db/schema/backups.ts";
import { writeFileAtomic } from "../store/atomic-file.ts";
import { encryptBackup } from "./encryption.ts";

/** What a backup file's `.json` sidecar says about it. */
export interface BackupManifest {
  format: 1;
  id: string;
  kind: BackupKind;
  /** ISO time of the snapshot. */
  createdAt: string;
  /** File name (in the same directory as the manifest). */
  file: string;
  sha256: string;
  sizeBytes: number;
  encrypted: boolean;
  rowCounts: Record<string, number>;
}

/** Raised when a copy fails verification; the backup is not kept. */
export class BackupVerifyError extends Error {
  override name = "BackupVerifyError";
}

/** Rows per user table (including drizzle's migration journal), in name order. */
export function tableRowCounts(sqlite: Database.Database): Record<string, number> {
  const tables = sqlite
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const quoted = `"${table.replaceAll('"', '""')}"`;
    counts[table] = sqlite.prepare(`SELECT count(*) FROM ${quoted}`).pluck().get() as number;
  }
  return counts;
}

/**
 * Opens a database file, runs `PRAGMA integrity_check` and counts rows. Also switches the copy
 * out of WAL mode, so it is one self-contained file (no -wal / -shm needed to read it).
 */
export function inspectDatabaseFile(file: string): {
  integrity: string;
  rowCounts: Record<string, number>;
} {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    const integrity = rows.map((r) => r.integrity_check).join("; ");
    return { integrity, rowCounts: integrity === "ok" ? tableRowCounts(db) : {} };
  } finally {
    db.close();
  }
}

/** True when both count maps have the same tables and counts. */
export function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Options of {@link takeSnapshot}. */
export interface SnapshotOptions {
  dir: string;
  kind: BackupKind;
  createdAt: Date;
  /** Key material from the key file; absent means the file is stored in clear. */
  keyMaterial?: Buffer;
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replaceAll(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/**
 * Copies the live database file at `sourceFile`, verifies the copy (integrity check, and row
 * counts equal to the source's in the very snapshot copied), encrypts it when a key is given,
 * and writes it with its manifest. Returns the manifest; throws (leaving nothing behind) on
 * failure.
 */
export async function takeSnapshot(
  sourceFile: string,
  options: SnapshotOptions,
): Promise<BackupManifest & { path: string }> {
  const id = `bk_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const name = `textnlp-${stamp(options.createdAt)}-${options.kind}-${id.slice(3, 9)}.sqlite${options.keyMaterial ? ".enc" : ""}`;
  const path = join(options.dir, name);
  const copy = join(options.dir, `.${id}.copy`);
  // A connection of its own, holding one read transaction from the counts to the end of the
  // copy: WAL pins that snapshot, so writers (this process or others) go on, and the copy
  // and the counts describe the same state however many steps the copy takes.
  const reader = new Database(sourceFile, { readonly: true, fileMustExist: true });
  try {
    reader.exec("BEGIN");
    const expected = tableRowCounts(reader);
    await reader.backup(copy);
    reader.exec("COMMIT");
    const { integrity, rowCounts } = inspectDatabaseFile(copy);
    if (integrity !== "ok") throw new BackupVerifyError(`integrity check failed: ${integrity}`);
    if (!sameCounts(expected, rowCounts))
      throw new BackupVerifyError(
        `row counts of the copy differ from the database's: ${JSON.stringify({ expected, copied: rowCounts })}`,
      );
    const plain = readFileSync(copy);
    const data = options.keyMaterial ? encryptBackup(plain, options.keyMaterial) : plain;
    writeFileAtomic(path, data);
    const manifest: BackupManifest = {
      format: 1,
      id,
      kind: options.kind,
      createdAt: options.createdAt.toISOString(),
      file: basename(path),
      sha256: createHash("sha256").update(data).digest("hex"),
      sizeBytes: data.length,
      encrypted: Boolean(options.keyMaterial),
      rowCounts,
    };
    writeFileAtomic(`${path}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    return { ...manifest, path };
  } catch (err) {
    rmSync(path, { force: true });
    throw err;
  } finally {
    reader.close();
    rmSync(copy, { force: true });
    rmSync(`${copy}-journal`, { force: true });
  }
}
