/**
 * The audit log (D1 or libSQL): one row per admin action, appended after the action succeeds,
 * read back per tenant, newest first, a page at a time.
 */
import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import { randomId } from "../../shared/auth/api-keys.ts";
import { type AuditEntry, auditLog } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** Who acted: `api_key`, `user` (our access token), `token` (identity provider), `system`. */
export interface AuditActor {
  kind: "api_key" | "user" | "token" | "system";
  id: string;
}

/** One admin action; `detail` must never hold secrets. */
export interface AuditRecord {
  tenantId: string;
  actor: AuditActor;
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
}

/** Appends an entry. */
export async function recordAudit(db: EdgeDb, entry: AuditRecord, now: Date): Promise<void> {
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
export interface AuditQuery {
  /** An action (`user.create`), or a prefix ending in `.*` (`user.*`). */
  action?: string;
  after?: AuditCursor;
  limit: number;
}

/** A tenant's entries, newest first; one more than `limit` is read to tell if more follow. */
export async function listAudit(
  db: EdgeDb,
  tenantId: string,
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; hasMore: boolean }> {
  const filters: (SQL | undefined)[] = [eq(auditLog.tenantId, tenantId)];
  if (query.action?.endsWith(".*")) {
    // substr, not LIKE: `_` in action names would be a LIKE wildcard.
    const prefix = query.action.slice(0, -1);
    filters.push(sql`substr(${auditLog.action}, 1, ${prefix.length}) = ${prefix}`);
  } else if (query.action) {
    filters.push(eq(auditLog.action, query.action));
  }
  if (query.after) {
    const at = new Date(query.after.createdAt);
    filters.push(
      or(
        lt(auditLog.createdAt, at),
        and(eq(auditLog.createdAt, at), lt(auditLog.id, query.after.id)),
      ),
    );
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...filters))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(query.limit + 1);
  return { entries: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}
