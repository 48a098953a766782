import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs.ts";
import { tenants } from "./tenants.ts";

/** One criterion of a review rubric: an integer rating from `min` to `max`. */
export interface RubricCriterion {
  name: string;
  min: number;
  max: number;
  description?: string;
}

/**
 * The human review queue of a dataset (a finished job): its rubric. Tasks live in
 * `review_tasks`; the queue exists once samples have been assigned.
 */
export const reviewQueues = sqliteTable("review_queues", {
  jobId: text("job_id")
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  rubric: text("rubric", { mode: "json" }).$type<RubricCriterion[]>().notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

export type ReviewQueueRow = typeof reviewQueues.$inferSelect;
