/**
 * Usage events: one row per metered call, written in group commits. Reports read them through
 * shared/usage (the same query the appliance serves).
 */
import { getTableColumns, sql } from "drizzle-orm";
import { usageEvents } from "../../shared/db/schema/index.ts";
import { type NewUsageEvent, type UsageEventRow, usageEventRow } from "../../shared/usage/event.ts";
import type { EdgeDb } from "./types.ts";

export type { NewUsageEvent };

type Row = UsageEventRow;
/** Every column, by its property name (so each insert binds all of them). */
const COLUMNS = Object.keys(getTableColumns(usageEvents)) as (keyof Row)[];

/** Rows per statement: D1 binds at most 100 parameters per statement. */
export const ROWS_PER_INSERT = Math.floor(100 / COLUMNS.length);
/** How long a row waits for others to share its statement. */
const WINDOW_MS = 10;

/** An insert of `count` rows, every value bound per call (`c0_id`, `c0_tenantId`, …). */
function prepareInsert(db: EdgeDb, count: number) {
  const rows = Array.from({ length: count }, (_, i) =>
    Object.fromEntries(COLUMNS.map((col) => [col, sql.placeholder(`c${i}_${col}`)])),
  );
  return db
    .insert(usageEvents)
    .values(rows as unknown as Row[])
    .prepare();
}

type Insert = ReturnType<typeof prepareInsert>;

/** A row on its way: flags only, since promises must not cross Workers request contexts. */
interface Pending {
  row: Row;
  /** In a statement now. */
  flushing: boolean;
  /** Written, or failed with `error`. */
  settled: boolean;
  error?: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Group commit of usage rows, per database handle: a row waits at most {@link WINDOW_MS} for
 * others, then all waiting rows go in multi-row statements (a full one at once). The
 * statements are prepared once per handle and size: query building and a D1 round trip per
 * row were most of a metered call's cost.
 *
 * Nothing rests on another request: Workers cancel I/O when the request context that started
 * it ends, and a request awaiting a promise that only another request's I/O resolves is
 * cancelled as hung. So each caller waits in its own context (its own timers) until its row is
 * written, and flushes the waiting rows itself when its window ends; a statement is awaited by
 * the caller that sent it until every row in it is settled. A caller that keeps the isolate
 * alive until `write` settles (`waitUntil`) therefore loses no row when the isolate dies later.
 */
class UsageWriter {
  readonly #db: EdgeDb;
  readonly #inserts = new Map<number, Insert>();
  #waiting: Pending[] = [];

  constructor(db: EdgeDb) {
    this.#db = db;
  }

  async write(row: Row): Promise<void> {
    const entry: Pending = { row, flushing: false, settled: false };
    this.#waiting.push(entry);
    if (this.#waiting.length >= ROWS_PER_INSERT) await this.#flush();
    // One timer for the window, then short ones while another caller's statement runs.
    for (let wait = WINDOW_MS; !entry.settled; wait = WINDOW_MS / 4) {
      await sleep(wait);
      if (!entry.flushing) await this.#flush();
    }
    if (entry.error !== undefined) throw entry.error;
  }

  /** Writes every waiting row; settles when each is written or has failed. */
  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;
    for (const entry of batch) entry.flushing = true;
    const statements: Promise<void>[] = [];
    for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
      statements.push(this.#write(batch.slice(i, i + ROWS_PER_INSERT)));
    }
    await Promise.all(statements);
  }

  async #write(rows: Pending[]): Promise<void> {
    try {
      await this.#insert(rows);
      for (const entry of rows) entry.settled = true;
    } catch (err) {
      if (rows.length === 1) {
        Object.assign(rows[0] as Pending, { settled: true, error: err });
        return;
      }
      // One bad row must not lose the others: each is tried alone.
      await Promise.all(rows.map((entry) => this.#write([entry])));
    }
  }

  #insert(rows: Pending[]): Promise<unknown> {
    let insert = this.#inserts.get(rows.length);
    if (!insert) {
      insert = prepareInsert(this.#db, rows.length);
      this.#inserts.set(rows.length, insert);
    }
    const values: Record<string, unknown> = {};
    rows.forEach(({ row }, i) => {
      for (const col of COLUMNS) values[`c${i}_${col}`] = row[col];
    });
    return insert.run(values);
  }
}

const writers = new WeakMap<EdgeDb, UsageWriter>();

/** Records one call; settles once its row is written (see {@link UsageWriter}). */
export function recordUsage(db: EdgeDb, event: NewUsageEvent): Promise<void> {
  let writer = writers.get(db);
  if (!writer) {
    writer = new UsageWriter(db);
    writers.set(db, writer);
  }
  return writer.write(usageEventRow(event));
}
