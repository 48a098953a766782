import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { models } from "./models.ts";

/** Other names clients may use for a model (`gpt-4o-mini` → a local GGUF, say). */
export const modelAliases = sqliteTable("model_aliases", {
  alias: text("alias").primaryKey(),
  modelName: text("model_name")
    .notNull()
    .references(() => models.name, { onDelete: "cascade", onUpdate: "cascade" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

export type ModelAlias = typeof modelAliases.$inferSelect;
