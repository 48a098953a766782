import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Failed sign-ins per tenant and username, whether or not that user exists (so a lockout does
 * not tell an attacker which names are real). Cleared by a successful sign-in.
 */
export const loginFailures = sqliteTable(
  "login_failures",
  {
    tenantId: text("tenant_id").notNull(),
    username: text("username").notNull(),
    /** Failures since the last success or lockout. */
    failures: integer("failures").notNull(),
    /** Sign-ins are refused until then. */
    lockedUntil: integer("locked_until", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.username] })],
);

export type LoginFailure = typeof loginFailures.$inferSelect;
