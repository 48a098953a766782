import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sites } from "./sites.ts";

/**
 * An appliance enrolled in a site (edge). Its credential (a random secret shown once, at
 * enrollment) is stored as a SHA-256; a revoked appliance is refused when it dials in.
 */
export const siteAppliances = sqliteTable(
  "site_appliances",
  {
    id: text("id").primaryKey(),
    siteId: text("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    credentialHash: text("credential_hash").notNull().unique(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("site_appliances_site_idx").on(t.siteId)],
);

export type SiteAppliance = typeof siteAppliances.$inferSelect;
