/**
 * Metering on the appliance: one `usage_events` row per generating call (API calls and job
 * samples), the same columns the edge fills. Rows wait in memory and are written together, off
 * the request path: one transaction per second or per {@link UsageMeterOptions.batchRows}
 * calls, whichever comes first. A report flushes first (it sees every call answered so far),
 * and `stop` writes what is left, so a clean shutdown loses no row.
 */
import type { Logger } from "pino";
import { usageEvents } from "../../shared/db/schema/index.ts";
import { type NewUsageEvent, type UsageEventRow, usageEventRow } from "../../shared/usage/event.ts";
import type { Db } from "../store/db.ts";

/** Options of {@link UsageMeter}. */
export interface UsageMeterOptions {
  db: Db;
  logger: Logger;
  /** Longest a row waits in memory (ms). */
  flushMs?: number;
  /** Rows that trigger a write at once. */
  batchRows?: number;
}

/** Buffers and writes usage rows; see the module comment. */
export class UsageMeter {
  readonly #db: Db;
  readonly #logger: Logger;
  readonly #flushMs: number;
  readonly #batchRows: number;
  #pending: UsageEventRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor({ db, logger, flushMs = 1000, batchRows = 200 }: UsageMeterOptions) {
    this.#db = db;
    this.#logger = logger;
    this.#flushMs = flushMs;
    this.#batchRows = batchRows;
  }

  /** Records one call (written within `flushMs`; at once after `stop`). */
  record(event: NewUsageEvent): void {
    this.#pending.push(usageEventRow(event));
    if (this.#stopped || this.#pending.length >= this.#batchRows) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#flushMs).unref();
  }

  /** Writes every waiting row now (one transaction); a row SQLite refuses is logged and dropped alone. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    if (rows.length === 0) return;
    try {
      this.#db.transaction((tx) => {
        for (let at = 0; at < rows.length; at += 100) {
          tx.insert(usageEvents)
            .values(rows.slice(at, at + 100))
            .run();
        }
      });
    } catch {
      // One bad row must not lose the others: each is tried alone.
      for (const row of rows) {
        try {
          this.#db.insert(usageEvents).values(row).run();
        } catch (err) {
          this.#logger.error({ err, model: row.model, route: row.route }, "usage row not written");
        }
      }
    }
  }

  /** Writes what is waiting; rows recorded later are written at once. Call before the store closes. */
  stop(): void {
    this.#stopped = true;
    this.flush();
  }
}
