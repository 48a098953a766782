/**
 * The erasure log: every subject or tenant erasure ever made, in `<dataDir>/erasures.jsonl`,
 * OUTSIDE the database and so outside every backup. After a restore brings back an older
 * database, replaying it removes again what was erased since. It necessarily holds the
 * identifiers themselves (a suppression list); it is readable by the service user only.
 *
 * `<dataDir>/erasures.pending` marks a database that may miss erasures (a restore or an
 * erasure interrupted half way): the daemon replays the log at start while it exists.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fsyncDir, writeFileAtomic } from "../store/atomic-file.ts";

/** Whose data an erasure removes. */
export type ErasureTarget = { subject: string } | { tenant: string };

/** One erasure as logged. */
export interface ErasureEntry {
  id: string;
  /** ISO time it was first made. */
  at: string;
  target: ErasureTarget;
  /** The audit_log row recording it (re-inserted when a restore lost it). */
  auditId: string;
}

export const erasureLogPath = (dataDir: string) => join(dataDir, "erasures.jsonl");
const pendingMarker = (dataDir: string) => join(dataDir, "erasures.pending");

/** Every logged erasure, oldest first. A torn last line (crash while appending) is ignored. */
export function readErasureLog(dataDir: string): ErasureEntry[] {
  const file = erasureLogPath(dataDir);
  if (!existsSync(file)) return [];
  const out: ErasureEntry[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as ErasureEntry);
    } catch {
      // Only the last line can be torn, and an erasure whose entry is torn never started.
    }
  }
  return out;
}

/** Appends an entry durably (before any row is deleted). */
export function appendErasure(dataDir: string, entry: ErasureEntry): void {
  const file = erasureLogPath(dataDir);
  const created = !existsSync(file);
  const fd = openSync(file, "a", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDir(dirname(file));
}

/** Marks the database as possibly missing erasures (see the module comment). */
export function markErasuresPending(dataDir: string): void {
  writeFileAtomic(pendingMarker(dataDir), `${new Date().toISOString()}\n`);
}

export function erasuresPending(dataDir: string): boolean {
  return existsSync(pendingMarker(dataDir));
}

export function clearErasuresPending(dataDir: string): void {
  rmSync(pendingMarker(dataDir), { force: true });
}
