import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Who did what to what, for admin actions on both halves (key and user changes, provider keys,
 * deletions of data subjects, restores). Append-only; rows are archived, never edited.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    /** No foreign key: the log outlives what it describes (a deleted tenant's actions stay). */
    tenantId: text("tenant_id").notNull(),
    /** `user`, `api_key`, `token`, `system` (CLI, scheduler) */
    actorKind: text("actor_kind").notNull(),
    /** The user's, key's or token subject's id; the command name for `system`. */
    actorId: text("actor_id").notNull(),
    /** Dotted verb: `api_key.create`, `user.delete`, `subject.erase`, `backup.restore`, … */
    action: text("action").notNull(),
    /** What the action touched (`api_key:<id>`, `user:<id>`, `subject:<id>`), if anything. */
    target: text("target"),
    /** JSON object of details that help an auditor; never secrets. */
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("audit_log_tenant_time_idx").on(t.tenantId, t.createdAt)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;
