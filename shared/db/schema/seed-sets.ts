import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";

/** An uploaded file of seed rows (JSONL or CSV) that jobs can draw their variables from. */
export const seedSets = sqliteTable(
  "seed_sets",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    format: text("format", { enum: ["jsonl", "csv"] }).notNull(),
    rowCount: integer("row_count").notNull(),
    /** Variable names seen in the rows. */
    columns: text("columns", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index("seed_sets_tenant_idx").on(t.tenantId)],
);

export const seedRows = sqliteTable(
  "seed_rows",
  {
    setId: text("set_id")
      .notNull()
      .references(() => seedSets.id, { onDelete: "cascade" }),
    rowIndex: integer("row_index").notNull(),
    variables: text("variables", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.setId, t.rowIndex] })],
);

export type SeedSet = typeof seedSets.$inferSelect;
