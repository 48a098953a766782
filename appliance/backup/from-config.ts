import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { effectiveValue } from "../settings/runtime-settings.ts";
import type { Db, Store } from "../store/db.ts";
import { readKeyFile } from "./encryption.ts";
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

/** The backup service of a configured appliance (retention read at every prune). */
export function backupServiceFor(config: Config, store: Store, logger?: Logger): BackupService {
  return new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: config.backup.dir,
    keyFile: config.backup.keyFile,
    keep: () => retentionFor(config, store.db),
    logger,
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
  return scheduleBackups(service, config.backup.cron, logger);
}
