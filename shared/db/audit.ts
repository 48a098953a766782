/**
 * The audit log, written and read the same way by both halves (D1 or libSQL on the edge,
 * better-sqlite3 on the appliance): one row per admin action, appended after the action
 * succeeds, read back per tenant, newest first, a page at a time. Drizzle only, no driver.
 */
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { randomId } from "../auth/api-keys.ts";
import { type AuditEntry, auditLog } from "./schema/index.ts";

/**
 * Any drizzle SQLite database: awaiting a query works on the synchronous driver too.
 */
// biome-ignore lint/suspicious/noExplicitAny: result kind and run-result type differ per driver; no query here reads them
export type AnySqliteDb = BaseSQLiteDatabase<any, any, any>;

/**
 * Who acted: `api_key`, `user` (a person: access token, panel session), `token` (identity
 * provider), `system` (a command line, the scheduler; the id names it, e.g. `cli:alice`).
 */
export interface AuditActor {
  kind: "api_key" | "user" | "token" | "system";
  id: string;
}

/** One admin action; `detail` must never hold secrets (passwords, key secrets, tokens). */
export interface AuditRecord {
  tenantId: string;
  actor: AuditActor;
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
}

/** Appends an entry. */
export async function recordAudit(db: AnySqliteDb, entry: AuditRecord, now: Date): Promise<void> {
  await db.insert(auditLog).values({
    id: randomId("aud_"),
    tenantId: entry.tenantId,
    actorKind: entry.actor.kind,
    actorId: entry.actor.id,
    action: entry.action,
    target: entry.target,
    detail: entry.detail ?? null,
    createdAt: now,
  });
}

/** Where a page starts: after the entry with this time and id (from the previous page). */
export interface AuditCursor {
  createdAt: number;
  id: string;
}

/** Options of {@link listAudit}. */
export interface AuditFilter {
  /** An action (`user.create`), or a prefix ending in `.*` (`user.*`). */
  action?: string;
  /** Only this actor's entries (its id: a user's or key's id, or a `system` name). */
  actorId?: string;
  /** Entries at or after this time (ms). */
  from?: number;
  /** Entries at or before this time (ms). */
  to?: number;
  after?: AuditCursor;
  limit: number;
}

/** A tenant's entries, newest first; one more than `limit` is read to tell if more follow. */
export async function listAudit(
  db: AnySqliteDb,
  tenantId: string,
  query: AuditFilter,
): Promise<{ entries: AuditEntry[]; hasMore: boolean }> {
  const filters: (SQL | undefined)[] = [eq(auditLog.tenantId, tenantId)];
  if (query.action?.endsWith(".*")) {
    // substr, not LIKE: `_` in action names would be a LIKE wildcard.
    const prefix = query.action.slice(0, -1);
    filters.push(sql`substr(${auditLog.action}, 1, ${prefix.length}) = ${prefix}`);
  } else if (query.action) {
    filters.push(eq(auditLog.action, query.action));
  }
  if (query.actorId) filters.push(eq(auditLog.actorId, query.actorId));
  if (query.from !== undefined) filters.push(gte(auditLog.createdAt, new Date(query.from)));
  if (query.to !== undefined) filters.push(lte(auditLog.createdAt, new Date(query.to)));
  if (query.after) {
    const at = new Date(query.after.createdAt);
    filters.push(
      or(
        lt(auditLog.createdAt, at),
        and(eq(auditLog.createdAt, at), lt(auditLog.id, query.after.id)),
      ),
    );
  }
  const rows: AuditEntry[] = await db
    .select()
    .from(auditLog)
    .where(and(...filters))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(query.limit + 1);
  return { entries: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}
