import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";

/**
 * A site: a group of appliances of one customer, reached over the hybrid link (edge). Its id is
 * the name clients use in `site:<id>/<model>`; the owning tenant may share it with others.
 */
export const sites = sqliteTable(
  "sites",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index("sites_tenant_idx").on(t.tenantId)],
);

export type Site = typeof sites.$inferSelect;
