import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Settings an administrator changed at run time (the appliance's panel): they override the
 * configuration file, environment and flags for a whitelisted set of keys (see
 * `appliance/settings/`). Stored in the database, so backups carry them.
 */
export const settings = sqliteTable("settings", {
  /** The configuration path, e.g. `backup.keepHourly`. */
  key: text("key").primaryKey(),
  /** The value as JSON, validated against the configuration's own schema when written. */
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  /** Who changed it (a panel user name). */
  updatedBy: text("updated_by"),
});

export type SettingRow = typeof settings.$inferSelect;
