import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { models } from "./models.ts";

/** One version of a split and its share of the traffic (weights need not add up to 100). */
export interface SplitShare {
  version: number;
  weight: number;
}

/**
 * A/B splits between versions of one model: requests for `name` (the model's own name, or one of
 * its aliases) go to one of the versions drawn by weight (`llama → {llama@3: 90, llama@4: 10}`).
 * A name with no split of its own follows its model's split, as aliases follow its current
 * version; `llama@N` always means that version.
 */
export const modelSplits = sqliteTable("model_splits", {
  /** The model name or alias that splits. */
  name: text("name").primaryKey(),
  modelName: text("model_name")
    .notNull()
    .references(() => models.name, { onDelete: "cascade", onUpdate: "cascade" }),
  shares: text("shares", { mode: "json" }).$type<SplitShare[]>().notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

export type ModelSplit = typeof modelSplits.$inferSelect;
