import cron from "node-cron";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { effectiveValue } from "../settings/runtime-settings.ts";
import type { Db, Store } from "../store/db.ts";
import { ArchiveBusyError } from "./archive-files.ts";
import { archiveExpired, type HotWindows } from "./archiver.ts";

/** A running archive schedule. */
export interface LifecycleSchedule {
  stop(): Promise<void>;
}

/** The hot windows in force: the panel's runtime settings over the configuration. */
export function hotWindows(config: Config, db: Db): HotWindows {
  return {
    generations: effectiveValue(config, db, "lifecycle.generationsDays"),
    usage: effectiveValue(config, db, "lifecycle.usageDays"),
    audit: effectiveValue(config, db, "lifecycle.auditDays"),
  };
}

/**
 * One scheduled run (hot windows read now, so a panel change applies): a file at a time, yielding to the event loop in between, so requests are
 * served while a large backlog is archived.
 */
async function archiveInSteps(config: Config, store: Store, logger: Logger): Promise<void> {
  const files: { kind: string; rows: object }[] = [];
  let recovered = 0;
  try {
    for (;;) {
      const step = archiveExpired({
        sqlite: store.sqlite,
        dataDir: config.dataDir,
        windows: hotWindows(config, store.db),
        maxFiles: 1,
      });
      recovered += step.recovered;
      files.push(...step.files.map((f) => ({ kind: f.kind, rows: f.rows })));
      if (step.files.length === 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (files.length > 0 || recovered > 0)
      logger.info({ files, recovered }, "expired rows archived");
  } catch (err) {
    if (err instanceof ArchiveBusyError) logger.warn(err.message);
    else logger.error({ err }, "archiving failed");
  }
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
  let running: Promise<void> = Promise.resolve();
  const task = cron.schedule(
    expression,
    () => {
      running = archiveInSteps(config, store, logger);
      return running;
    },
    { name: "archive", noOverlap: true },
  );
  logger.info({ cron: expression, windows: hotWindows(config, store.db) }, "archiving scheduled");
  return {
    async stop() {
      await task.destroy();
      await running;
    },
  };
}
