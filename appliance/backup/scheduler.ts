import cron from "node-cron";
import type { Logger } from "pino";
import type { BackupService } from "./service.ts";

/** A running backup schedule; `stop` waits for a backup in progress. */
export interface BackupSchedule {
  stop(): Promise<void>;
}

/** Raised for a cron expression node-cron does not accept. */
export class BackupScheduleError extends Error {
  override name = "BackupScheduleError";
}

/**
 * Runs scheduled backups on a cron expression (local time zone of the host). Overlapping runs
 * are skipped by node-cron; a failed backup is logged and recorded, never thrown at the daemon.
 */
export function scheduleBackups(
  service: BackupService,
  expression: string,
  logger: Logger,
): BackupSchedule {
  if (!cron.validate(expression))
    throw new BackupScheduleError(
      `backup.cron '${expression}' is not a valid cron expression (e.g. '0 * * * *' for hourly)`,
    );
  const task = cron.schedule(
    expression,
    async () => {
      // Failures are recorded as `failed` rows and logged by the service.
      await service.run("scheduled").catch(() => undefined);
    },
    { name: "backup", noOverlap: true },
  );
  logger.info({ cron: expression, dir: service.options.dir }, "backups scheduled");
  return {
    async stop() {
      await task.destroy();
      await service.idle();
    },
  };
}
