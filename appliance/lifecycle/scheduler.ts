import cron from "node-cron";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Store } from "../store/db.ts";
import { ArchiveBusyError } from "./archive-files.ts";
import { archiveExpired, type HotWindows } from "./archiver.ts";

/** A running archive schedule. */
export interface LifecycleSchedule {
  stop(): Promise<void>;
}

/** The hot windows of a configured appliance. */
export function hotWindows(config: Config): HotWindows {
  return {
    generations: config.lifecycle.generationsDays,
    usage: config.lifecycle.usageDays,
    audit: config.lifecycle.auditDays,
  };
}

/**
 * Archives expired rows on the configured cron expression. A run that finds an erasure in
 * progress skips (the next one catches up); failures are logged, never thrown at the daemon.
 */
export function scheduleArchiving(config: Config, store: Store, logger: Logger): LifecycleSchedule {
  const expression = config.lifecycle.cron;
  if (!cron.validate(expression))
    throw new Error(
      `lifecycle.cron '${expression}' is not a valid cron expression (e.g. '30 3 * * *' for daily)`,
    );
  const task = cron.schedule(
    expression,
    () => {
      try {
        const result = archiveExpired({
          sqlite: store.sqlite,
          dataDir: config.dataDir,
          windows: hotWindows(config),
        });
        logger.info(
          {
            files: result.files.map((f) => ({ kind: f.kind, rows: f.rows })),
            recovered: result.recovered,
          },
          "expired rows archived",
        );
      } catch (err) {
        if (err instanceof ArchiveBusyError) logger.warn(err.message);
        else logger.error({ err }, "archiving failed");
      }
    },
    { name: "archive", noOverlap: true },
  );
  logger.info({ cron: expression, windows: hotWindows(config) }, "archiving scheduled");
  return {
    async stop() {
      await task.destroy();
    },
  };
}
