import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users.ts";

/**
 * Logged-in sessions of the appliance's admin panel. The cookie holds a random token; only its
 * sha256 is stored, so a copy of the database (a backup) cannot be replayed as a login.
 */
export const panelSessions = sqliteTable(
  "panel_sessions",
  {
    /** sha256 (hex) of the cookie's token. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Sent back in `X-CSRF-Token` (or a form's `_csrf`) on every state-changing request. */
    csrfToken: text("csrf_token").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("panel_sessions_expires_idx").on(t.expiresAt)],
);

export type PanelSession = typeof panelSessions.$inferSelect;
