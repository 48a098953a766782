/**
 * Generations: each scheduled backup is the week's first (weekly), else the day's first
 * (daily), else hourly; retention keeps the newest N of each. Weeks start on Monday, days and
 * weeks are UTC. Pure functions of the clock's time, so tests are exact.
 */
import type { BackupKind } from "../../shared/db/schema/backups.ts";

/** How many usable backups of each scheduled kind to keep. Manual backups are never pruned. */
export interface RetentionPolicy {
  hourly: number;
  daily: number;
  weekly: number;
}

/** The parts of a backup row retention looks at. */
export interface RetainedBackup {
  id: string;
  kind: BackupKind;
  status: string;
  createdAt: Date;
}

const DAY = 86_400_000;
const dayOf = (d: Date) => Math.floor(d.getTime() / DAY);
/** Days since the epoch of the Monday starting `d`'s week (1970-01-01 was a Thursday). */
const weekOf = (d: Date) => Math.floor((dayOf(d) + 3) / 7);

/** The kind a scheduled backup taken at `now` gets, given the usable backups already kept. */
export function scheduledKind(now: Date, existing: readonly RetainedBackup[]): BackupKind {
  const ok = existing.filter((b) => b.status === "ok");
  if (!ok.some((b) => b.kind === "weekly" && weekOf(b.createdAt) === weekOf(now))) return "weekly";
  if (
    !ok.some(
      (b) => (b.kind === "daily" || b.kind === "weekly") && dayOf(b.createdAt) === dayOf(now),
    )
  )
    return "daily";
  return "hourly";
}

/** Ids of the usable backups retention removes: all but the newest N of each scheduled kind. */
export function backupsToPrune(
  backups: readonly RetainedBackup[],
  policy: RetentionPolicy,
): string[] {
  const prune: string[] = [];
  for (const kind of ["hourly", "daily", "weekly"] as const) {
    const ok = backups
      .filter((b) => b.kind === kind && b.status === "ok")
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    prune.push(...ok.slice(policy[kind]).map((b) => b.id));
  }
  return prune;
}
