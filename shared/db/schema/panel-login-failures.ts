import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Failed panel logins, by the user name tried (known or not), for the lockout: kept in SQLite
 * so a restart does not reset an attacker's count. A successful login clears its name's rows.
 */
export const panelLoginFailures = sqliteTable(
  "panel_login_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("panel_login_failures_username_at_idx").on(t.username, t.at)],
);
