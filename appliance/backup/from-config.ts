import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Store } from "../store/db.ts";
import { readKeyFile } from "./encryption.ts";
import { type BackupSchedule, scheduleBackups } from "./scheduler.ts";
import { BackupService } from "./service.ts";

/** The backup service of a configured appliance. */
export function backupServiceFor(config: Config, store: Store, logger?: Logger): BackupService {
  return new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: config.backup.dir,
    keyFile: config.backup.keyFile,
    keep: {
      hourly: config.backup.keepHourly,
      daily: config.backup.keepDaily,
      weekly: config.backup.keepWeekly,
    },
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
