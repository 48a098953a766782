import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";

/**
 * A site: a group of appliances of one customer, reached over the hybrid link (edge). Its `name`
 * is unique within its tenant and is what clients use in `site:<name>/<model>` (another tenant
 * it is shared with says `site:<owner-tenant>.<name>/<model>`). Its `id` is internal and never
 * changes: the site's Durable Object is named after it, and its appliances' rows point at it.
 */
export const sites = sqliteTable(
  "sites",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  // Also the index of a tenant's sites (its first column).
  (t) => [uniqueIndex("sites_tenant_name_unique").on(t.tenantId, t.name)],
);

export type Site = typeof sites.$inferSelect;
