/** Backups: snapshot, encryption, retention, schedule and restore (see each module). */
export { BackupDecryptError, readKeyFile } from "./encryption.ts";
export {
  backupServiceFor,
  remoteStoreFor,
  retentionFor,
  startBackupSchedule,
} from "./from-config.ts";
export { parseRemoteUrl, RemoteStore, RemoteVerifyError } from "./remote.ts";
export { RestoreError, type RestoreSource, readManifests, restoreBackup } from "./restore.ts";
export { backupsToPrune, type RetentionPolicy, scheduledKind } from "./retention.ts";
export { BackupScheduleError, scheduleBackups } from "./scheduler.ts";
export { BackupService, type BackupServiceOptions } from "./service.ts";
