/**
 * A restore asked for from the panel. The daemon holds the database, and restore refuses to run
 * while it does, so the request is recorded in a small file of the data directory and the
 * daemon restarts (its supervisor starts it again): the next start applies the restore before
 * it opens the database, then clears the request. The outcome, success or failure, is kept in
 * a second file for the Backups page. A restore that fails leaves the current database in place
 * and the daemon starts on it: a bad backup must never keep the appliance down.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { recordAudit } from "../../shared/db/audit.ts";
import {
  clearErasuresPending,
  erasuresPending,
  markErasuresPending,
} from "../lifecycle/erasure-log.ts";
import { writeFileAtomic } from "../store/atomic-file.ts";
import type { Db } from "../store/db.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
import { readKeyFile } from "./encryption.ts";
import { RestoreError, restoreBackup } from "./restore.ts";

/**
 * The exit status of a daemon that stops to be started again (EX_TEMPFAIL). The systemd unit's
 * `Restart=on-failure` restarts on it; only status 2 (bad configuration) is not restarted.
 */
export const RESTART_EXIT_CODE = 75;

/** A restore waiting for the next start. */
export interface PendingRestore {
  backupId: string;
  /** When the backup was taken (ISO), for the messages. */
  backupCreatedAt: string;
  requestedAt: string;
  /** The panel user who asked (name, for the page), and who they are (for the audit log). */
  requestedBy: string | null;
  requestedByUserId?: string;
  tenantId?: string;
}

/** What the last pending restore did. */
export interface RestoreOutcome extends PendingRestore {
  ok: boolean;
  finishedAt: string;
  /** Why it failed (the current database was kept). */
  error: string | null;
  /** Where the replaced database was kept. */
  previous: string | null;
}

const pendingPath = (dataDir: string) => join(dataDir, "restore-pending.json");
const outcomePath = (dataDir: string) => join(dataDir, "restore-outcome.json");

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

/** Records a restore for the next start (atomically: a crash leaves no half request). */
export function requestRestore(dataDir: string, request: PendingRestore): void {
  writeFileAtomic(pendingPath(dataDir), JSON.stringify(request));
}

/** The restore waiting for the next start, or null. */
export function readPendingRestore(dataDir: string): PendingRestore | null {
  return readJson<PendingRestore>(pendingPath(dataDir));
}

/** The outcome of the last restore applied at start, or null. */
export function readRestoreOutcome(dataDir: string): RestoreOutcome | null {
  return readJson<RestoreOutcome>(outcomePath(dataDir));
}

/** Options of {@link applyPendingRestore}. */
export interface ApplyPendingRestoreOptions {
  dataDir: string;
  backupDir: string;
  keyFile?: string;
  logger?: Logger;
  now?: () => Date;
}

/**
 * At start, before the database is opened: applies a pending restore with {@link restoreBackup}
 * and records the outcome, then clears the request (also when it failed, so a bad backup is not
 * retried at every start). Erasures are marked for replay first, as `textnlp-appliance restore`
 * does; the daemon replays them once the store is open. Never rejects: resolves to the outcome, or
 * null when nothing was pending.
 */
export async function applyPendingRestore(
  options: ApplyPendingRestoreOptions,
): Promise<RestoreOutcome | null> {
  const { dataDir, logger } = options;
  const file = pendingPath(dataDir);
  if (!existsSync(file)) return null;
  const now = options.now ?? (() => new Date());
  const request = readPendingRestore(dataDir);
  let outcome: RestoreOutcome;
  if (!request?.backupId) {
    outcome = {
      backupId: request?.backupId ?? "(unreadable request)",
      backupCreatedAt: request?.backupCreatedAt ?? "",
      requestedAt: request?.requestedAt ?? "",
      requestedBy: request?.requestedBy ?? null,
      ok: false,
      finishedAt: now().toISOString(),
      error: `the pending restore request ${file} is unreadable`,
      previous: null,
    };
  } else {
    const alreadyPending = erasuresPending(dataDir);
    markErasuresPending(dataDir);
    try {
      const result = await restoreBackup({
        dataDir,
        backupDir: options.backupDir,
        keyMaterial: options.keyFile ? readKeyFile(options.keyFile) : undefined,
        source: { id: request.backupId },
        now,
      });
      outcome = {
        ...request,
        ok: true,
        finishedAt: now().toISOString(),
        error: null,
        previous: result.previous,
      };
      logger?.warn(
        { backup: request.backupId, previous: result.previous },
        "restored a backup asked for from the panel",
      );
    } catch (err) {
      // restoreBackup changes nothing before its final rename, so the database is the old one.
      if (!alreadyPending) clearErasuresPending(dataDir);
      const message =
        err instanceof RestoreError ? err.message : `unexpected error: ${(err as Error).message}`;
      outcome = {
        ...request,
        ok: false,
        finishedAt: now().toISOString(),
        error: message,
        previous: null,
      };
      logger?.error(
        { backup: request.backupId, err },
        "restore asked for from the panel failed: starting on the current database",
      );
    }
  }
  writeFileAtomic(outcomePath(dataDir), JSON.stringify(outcome));
  rmSync(file, { force: true });
  return outcome;
}

/** Records a restore's outcome in the audit log of the database now in use (`backup.restore`). */
export function recordRestore(db: Db, outcome: RestoreOutcome): Promise<void> {
  return recordAudit(
    db,
    {
      tenantId: outcome.tenantId ?? LOCAL_TENANT,
      actor: outcome.requestedByUserId
        ? { kind: "user", id: outcome.requestedByUserId }
        : { kind: "system", id: "panel" },
      action: "backup.restore",
      target: `backup:${outcome.backupId}`,
      detail: {
        ok: outcome.ok,
        error: outcome.error,
        requestedAt: outcome.requestedAt,
        backupCreatedAt: outcome.backupCreatedAt,
        previous: outcome.previous,
      },
    },
    new Date(),
  );
}
