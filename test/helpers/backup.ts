/**
 * A restore from the remote store onto a fresh machine, as `restore --remote latest` does it,
 * for the offsite tests and `bench/recovery.ts`.
 */
import { readKeyFile } from "../../appliance/backup/encryption.ts";
import type { RemoteStore } from "../../appliance/backup/remote.ts";
import { type RestoreResult, restoreBackup } from "../../appliance/backup/restore.ts";

/** Where a fresh machine keeps what it restores, and the key file it was given. */
export interface FreshMachine {
  dataDir: string;
  backupDir: string;
  keyFile: string;
}

/**
 * Downloads the newest verified copy in `remote` into `backupDir` (checked against its sha256)
 * and restores it into `dataDir` (decrypted, integrity and row counts verified). `downloadMs`:
 * the time spent listing and downloading.
 */
export async function restoreLatestRemote(
  remote: RemoteStore,
  { dataDir, backupDir, keyFile }: FreshMachine,
): Promise<RestoreResult & { downloadMs: number }> {
  const started = performance.now();
  const [copy] = await remote.list();
  if (!copy) throw new Error(`no verified copy in ${remote.describe()}`);
  const file = await remote.download(copy, backupDir);
  const downloadMs = performance.now() - started;
  const result = await restoreBackup({
    dataDir,
    backupDir,
    source: { file },
    keyMaterial: readKeyFile(keyFile),
  });
  return { ...result, downloadMs };
}
