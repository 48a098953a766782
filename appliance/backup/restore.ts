/**
 * Restore runs while the daemon is stopped: it picks a backup (by file, id or "newest before a
 * time"), checks its checksum, decrypts and verifies it, then swaps it in with a rename and keeps
 * the previous database aside. It reads the backups' own manifests, never the database being
 * replaced, so it works when that database is lost or damaged.
 */
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { copyFile, open } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { commitAtomic, digestFile } from "../store/atomic-file.ts";
import { databasePath } from "../store/db.ts";
import { runningDaemonPid } from "../store/pid-file.ts";
import { decryptBackupFile, isEncryptedBackupFile } from "./encryption.ts";
import { type BackupManifest, sameCounts } from "./snapshot.ts";
import { type Inspection, inspectDatabaseFile } from "./sqlite-worker.ts";

/** Raised when a restore is refused; the message tells the operator what to do. */
export class RestoreError extends Error {
  override name = "RestoreError";
}

/** Which backup to restore. */
export type RestoreSource = { file: string } | { id: string } | { before: Date };

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  dataDir: string;
  backupDir: string;
  source: RestoreSource;
  keyMaterial?: Buffer;
  now?: () => Date;
}

/** What a restore did. */
export interface RestoreResult {
  restored: string;
  manifest: BackupManifest | null;
  /** Where the previous database was moved, or null when there was none. */
  previous: string | null;
  rowCounts: Record<string, number>;
}

/** Manifests of the usable backups in `dir`, newest first. */
export function readManifests(dir: string): (BackupManifest & { path: string })[] {
  if (!existsSync(dir)) return [];
  const out: (BackupManifest & { path: string })[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".json")) continue;
    try {
      const manifest = JSON.parse(readFileSync(join(dir, name), "utf8")) as BackupManifest;
      const path = join(dir, manifest.file);
      if (manifest.format === 1 && existsSync(path)) out.push({ ...manifest, path });
    } catch {
      // Not one of ours, or half written by a crash: not a candidate.
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function pick(options: RestoreOptions): { path: string; manifest: BackupManifest | null } {
  const { source, backupDir } = options;
  const manifests = readManifests(backupDir);
  if ("file" in source) {
    const path = resolve(source.file);
    if (!existsSync(path)) throw new RestoreError(`no backup file ${path}`);
    const sidecar = `${path}.json`;
    const manifest = existsSync(sidecar)
      ? (JSON.parse(readFileSync(sidecar, "utf8")) as BackupManifest)
      : (manifests.find((m) => m.path === path) ?? null);
    return { path, manifest };
  }
  if ("id" in source) {
    const found = manifests.find((m) => m.id === source.id);
    if (!found) throw new RestoreError(`no backup with id ${source.id} in ${backupDir}`);
    return { path: found.path, manifest: found };
  }
  const cutoff = source.before.toISOString();
  const found = manifests.find((m) => m.createdAt < cutoff);
  if (!found) throw new RestoreError(`no backup taken before ${cutoff} in ${backupDir}`);
  return { path: found.path, manifest: found };
}

/** Copies a clear backup to `staging`, streamed and fsynced. */
async function copyClear(path: string, staging: string): Promise<void> {
  const tmp = `${staging}.partial`;
  try {
    await copyFile(path, tmp);
    await commitAtomic(await open(tmp, "r+"), tmp, staging);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Restores a backup into `dataDir`; rejects with {@link RestoreError} (changing nothing) if
 * refused. The backup is streamed (checksum, decryption) and its checks run in a worker thread.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const pid = runningDaemonPid(options.dataDir);
  if (pid !== null)
    throw new RestoreError(
      `the appliance is running (pid ${pid}) and holds the database: stop it first ` +
        `(systemctl stop textnlp-appliance, or kill -TERM ${pid}), then run restore again`,
    );
  const { path, manifest } = pick(options);
  if (manifest && (await digestFile(path)).sha256 !== manifest.sha256)
    throw new RestoreError(
      `backup ${basename(path)} is corrupted: its sha256 differs from the one recorded when it was taken`,
    );
  const encrypted = await isEncryptedBackupFile(path);
  if (encrypted && !options.keyMaterial)
    throw new RestoreError(
      `backup ${basename(path)} is encrypted: configure backup.keyFile (TEXTNLP_BACKUP_KEY_FILE) with its key`,
    );
  const target = databasePath(options.dataDir);
  // A fresh machine has no data directory yet.
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const staging = `${target}.restoring`;
  rmSync(staging, { force: true });
  if (encrypted) {
    try {
      // Only authenticated plaintext reaches `staging`.
      await decryptBackupFile(path, staging, options.keyMaterial as Buffer);
    } catch (err) {
      throw new RestoreError(`cannot restore ${basename(path)}: ${(err as Error).message}`);
    }
  } else await copyClear(path, staging);
  let inspected: Inspection;
  try {
    inspected = await inspectDatabaseFile(staging);
  } catch (err) {
    rmSync(staging, { force: true });
    rmSync(`${staging}-journal`, { force: true });
    throw new RestoreError(
      `backup ${basename(path)} is not a readable database: ${(err as Error).message}`,
    );
  }
  if (
    inspected.integrity !== "ok" ||
    (manifest && !sameCounts(manifest.rowCounts, inspected.rowCounts))
  ) {
    rmSync(staging, { force: true });
    throw new RestoreError(
      `backup ${basename(path)} failed verification: ${
        inspected.integrity !== "ok"
          ? `integrity check: ${inspected.integrity}`
          : "its row counts differ from those recorded when it was taken"
      }`,
    );
  }
  rmSync(`${staging}-journal`, { force: true });

  let previous: string | null = null;
  if (existsSync(target)) {
    const stamp = (options.now?.() ?? new Date()).toISOString().replaceAll(/[-:.]/g, "");
    previous = join(dirname(target), `${basename(target)}.before-restore-${stamp}`);
    // The WAL belongs to the database it sits beside: it moves with it, or it would be
    // replayed into the restored file. A hard link keeps the old file while the rename below
    // replaces the name in one atomic step.
    if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${previous}-wal`);
    rmSync(`${target}-shm`, { force: true });
    linkSync(target, previous);
  }
  renameSync(staging, target);
  return { restored: path, manifest, previous, rowCounts: inspected.rowCounts };
}
