import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The appliance's side of enrollment: the edge it links to and the site credential the edge
 * gave it. One row at most (`id` 1); kept in the database, not the config file, so it is in
 * backups and never in a file shared around.
 */
export const linkCredentials = sqliteTable("link_credentials", {
  id: integer("id").primaryKey(),
  edgeUrl: text("edge_url").notNull(),
  siteId: text("site_id").notNull(),
  applianceId: text("appliance_id").notNull(),
  credential: text("credential").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export type LinkCredential = typeof linkCredentials.$inferSelect;
