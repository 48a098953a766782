import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { effectiveValue } from "../settings/runtime-settings.ts";
import type { Db, Store } from "../store/db.ts";
import { readKeyFile } from "./encryption.ts";
import { RemoteStore } from "./remote.ts";
import type { RetentionPolicy } from "./retention.ts";
import { type BackupSchedule, scheduleBackups } from "./scheduler.ts";
import { BackupService } from "./service.ts";

/** The retention in force: the panel's runtime settings over the configuration. */
export function retentionFor(config: Config, db: Db): RetentionPolicy {
  return {
    hourly: effectiveValue(config, db, "backup.keepHourly"),
    daily: effectiveValue(config, db, "backup.keepDaily"),
    weekly: effectiveValue(config, db, "backup.keepWeekly"),
  };
}

/** The remote store of a configured appliance, or undefined when none is configured. */
export function remoteStoreFor(config: Config): RemoteStore | undefined {
  return config.backup.remote ? new RemoteStore(config.backup.remote) : undefined;
}

/** The backup service of a configured appliance (retention read at every prune). */
export function backupServiceFor(config: Config, store: Store, logger?: Logger): BackupService {
  const remote = remoteStoreFor(config);
  return new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: config.backup.dir,
    keyFile: config.backup.keyFile,
    keep: () => retentionFor(config, store.db),
    logger,
    ...(remote && config.backup.remote
      ? {
          remote: {
            store: remote,
            attempts: config.backup.remote.attempts,
            retryBaseMs: config.backup.remote.retryBaseMs,
          },
        }
      : {}),
  });
}

/** Starts the daemon's backup schedule from the configuration. */
export async function startBackupSchedule({
  config,
  store,
  logger,
  service = backupServiceFor(config, store, logger),
}: {
  config: Config;
  store: Store;
  logger: Logger;
  /** The service to schedule, when others (the panel) use it too. */
  service?: BackupService;
}): Promise<BackupSchedule> {
  // A missing or short key file is a start-up error, not an hourly failure.
  if (config.backup.keyFile) readKeyFile(config.backup.keyFile);
  service.adoptOrphans();
  // Offsite copies a stop interrupted, or that failed last time, go up now.
  void service.syncRemote();
  return scheduleBackups(service, config.backup.cron, logger);
}
