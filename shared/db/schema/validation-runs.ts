import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs.ts";
import { tenants } from "./tenants.ts";

/**
 * One validation of a dataset (`POST /v1/validate` with `dataset`): what was asked and the
 * dataset-level figures. Per-sample figures are in `validation_results`.
 */
export const validationRuns = sqliteTable(
  "validation_runs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    metrics: text("metrics", { mode: "json" }).$type<string[]>().notNull(),
    options: text("options", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    aggregate: text("aggregate", { mode: "json" })
      .$type<Record<string, Record<string, unknown>>>()
      .notNull(),
    samples: integer("samples").notNull(),
    /**
     * A dataset of a comparison job: each model's sample count and figures (`aggregate` of its
     * samples alone), by the model's name as the job asked for it; null for one model.
     */
    byModel: text("by_model", { mode: "json" }).$type<Record<
      string,
      { samples: number; aggregate: Record<string, Record<string, unknown>> }
    > | null>(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index("validation_runs_job_idx").on(t.jobId, t.createdAt)],
);

export type ValidationRunRow = typeof validationRuns.$inferSelect;
