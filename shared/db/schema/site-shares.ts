import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sites } from "./sites.ts";

/** Another tenant allowed to send requests to a site's models (granted by the site's owner). */
export const siteShares = sqliteTable(
  "site_shares",
  {
    siteId: text("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.tenantId] })],
);

export type SiteShare = typeof siteShares.$inferSelect;
