/**
 * One backup: an online copy of the live database (SQLite's backup API, so the daemon keeps
 * serving), verified, optionally encrypted, written atomically with a JSON manifest beside it.
 * The manifest makes a backup restorable on its own, even when the database that recorded it
 * is the thing being replaced. The SQLite work runs in a worker thread and the file is streamed
 * (encrypted, hashed), so a backup of any size neither stalls the daemon nor fills its memory.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, join } from "node:path";
import type { BackupKind } from "../../shared/db/schema/backups.ts";
import { commitAtomic, digestFile, writeFileAtomic } from "../store/atomic-file.ts";
import { encryptBackupFile } from "./encryption.ts";
import { copyDatabaseFile } from "./sqlite-worker.ts";

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
  try {
    // The copy and its checks run in a worker thread; what follows streams the file.
    const { expected, integrity, rowCounts } = await copyDatabaseFile(sourceFile, copy);
    if (integrity !== "ok") throw new BackupVerifyError(`integrity check failed: ${integrity}`);
    if (!sameCounts(expected, rowCounts))
      throw new BackupVerifyError(
        `row counts of the copy differ from the database's: ${JSON.stringify({ expected, copied: rowCounts })}`,
      );
    if (options.keyMaterial) await encryptBackupFile(copy, path, options.keyMaterial);
    else {
      // The copy is the backup: readable by its owner only, like an encrypted one.
      const handle = await open(copy, "r+");
      await handle.chmod(0o600).catch(async (err) => {
        await handle.close();
        throw err;
      });
      await commitAtomic(handle, copy, path);
    }
    const { sha256, bytes } = await digestFile(path);
    const manifest: BackupManifest = {
      format: 1,
      id,
      kind: options.kind,
      createdAt: options.createdAt.toISOString(),
      file: basename(path),
      sha256,
      sizeBytes: bytes,
      encrypted: Boolean(options.keyMaterial),
      rowCounts,
    };
    writeFileAtomic(`${path}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    return { ...manifest, path };
  } catch (err) {
    rmSync(path, { force: true });
    throw err;
  } finally {
    rmSync(copy, { force: true });
    rmSync(`${copy}-journal`, { force: true });
  }
}
