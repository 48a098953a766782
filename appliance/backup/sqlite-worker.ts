/**
 * The SQLite work of a backup and a restore (the online copy, `PRAGMA integrity_check`, row
 * counts), synchronous in better-sqlite3 and minutes long on a large database, runs in a worker
 * thread so the daemon's event loop keeps serving. The worker is inline (`eval`), CommonJS, and
 * loads better-sqlite3 from the path this module resolves: it runs the same under tsx, vitest
 * and the installer's esbuild bundle, which keeps better-sqlite3 external.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** User tables (including drizzle's migration journal), in name order. */
const TABLES_SQL =
  "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

/** Rows per user table (including drizzle's migration journal), in name order. */
export function tableRowCounts(sqlite: Database.Database): Record<string, number> {
  const tables = sqlite.prepare(TABLES_SQL).pluck().all() as string[];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const quoted = `"${table.replaceAll('"', '""')}"`;
    counts[table] = sqlite.prepare(`SELECT count(*) FROM ${quoted}`).pluck().get() as number;
  }
  return counts;
}

// The worker's code: tableRowCounts and the two tasks, in plain JavaScript.
const WORKER_CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
function tableRowCounts(sqlite) {
  const counts = {};
  for (const table of sqlite.prepare(workerData.tablesSql).pluck().all()) {
    const quoted = '"' + table.replaceAll('"', '""') + '"';
    counts[table] = sqlite.prepare("SELECT count(*) FROM " + quoted).pluck().get();
  }
  return counts;
}
function inspect(file) {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const integrity = db.pragma("integrity_check").map((r) => r.integrity_check).join("; ");
    return { integrity, rowCounts: integrity === "ok" ? tableRowCounts(db) : {} };
  } finally {
    db.close();
  }
}
async function copy(source, target) {
  const reader = new Database(source, { readonly: true, fileMustExist: true });
  try {
    reader.exec("BEGIN");
    const expected = tableRowCounts(reader);
    await reader.backup(target);
    reader.exec("COMMIT");
    return { expected, ...inspect(target) };
  } finally {
    reader.close();
  }
}
const task = workerData.task;
(task.op === "copy" ? copy(task.source, task.target) : Promise.resolve(inspect(task.file))).then(
  (result) => parentPort.postMessage({ ok: true, result }),
  (err) => parentPort.postMessage({ ok: false, message: String((err && err.message) || err) }),
);
`;

const driver = createRequire(import.meta.url).resolve("better-sqlite3");

type Task = { op: "copy"; source: string; target: string } | { op: "inspect"; file: string };

/** What {@link inspectDatabaseFile} finds. */
export interface Inspection {
  integrity: string;
  rowCounts: Record<string, number>;
}

function inWorker<T>(task: Task): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { driver, tablesSql: TABLES_SQL, task },
    });
    let settled = false;
    worker.once("message", (m: { ok: true; result: T } | { ok: false; message: string }) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(m.message));
    });
    worker.once("error", (err) => {
      settled = true;
      reject(err);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`the SQLite worker exited with status ${code}`));
    });
  });
}

/**
 * Opens a database file, runs `PRAGMA integrity_check` and counts rows, in a worker thread.
 * Also switches the file out of WAL mode, so it is one self-contained file (no -wal / -shm
 * needed to read it).
 */
export function inspectDatabaseFile(file: string): Promise<Inspection> {
  return inWorker({ op: "inspect", file });
}

/**
 * Copies the live database `source` to `target` with SQLite's online backup and inspects the
 * copy, in a worker thread. One read transaction spans the counts and the copy: WAL pins that
 * snapshot, so writers go on, and `expected` (the source's counts) and the copy describe the
 * same state however many steps the copy takes.
 */
export function copyDatabaseFile(
  source: string,
  target: string,
): Promise<Inspection & { expected: Record<string, number> }> {
  return inWorker({ op: "copy", source, target });
}
