import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs.ts";
import { samples } from "./samples.ts";
import { users } from "./users.ts";

export const reviewDecisions = ["accept", "reject", "edit"] as const;
export type ReviewDecision = (typeof reviewDecisions)[number];

/**
 * One sample assigned to one reviewer (an appliance user), and that reviewer's verdict once
 * given: several reviewers per sample make agreement measurable. A reviewer's later verdict on
 * the same task replaces the earlier one.
 */
export const reviewTasks = sqliteTable(
  "review_tasks",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    sampleId: integer("sample_id")
      .notNull()
      .references(() => samples.id, { onDelete: "cascade" }),
    reviewerId: text("reviewer_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "done"] }).notNull(),
    decision: text("decision", { enum: reviewDecisions }),
    /** The reviewer's corrected output, for `edit`. */
    editedOutput: text("edited_output"),
    /** Integer ratings by rubric criterion. */
    ratings: text("ratings", { mode: "json" })
      .$type<Record<string, number>>()
      .notNull()
      .default(sql`'{}'`),
    comment: text("comment"),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    reviewedAt: integer("reviewed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("review_tasks_sample_reviewer_idx").on(t.sampleId, t.reviewerId),
    index("review_tasks_job_reviewer_idx").on(t.jobId, t.reviewerId, t.status),
  ],
);

export type ReviewTaskRow = typeof reviewTasks.$inferSelect;
