import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { templates } from "./templates.ts";
import { tenants } from "./tenants.ts";

export const jobStatuses = ["queued", "running", "paused", "done", "failed", "cancelled"] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** Batch generation jobs: template × rows × samples per row. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    templateId: text("template_id")
      .notNull()
      .references(() => templates.id),
    model: text("model").notNull(),
    /** The API key that created the job (its samples are metered as that key's); null for others. */
    keyId: text("key_id"),
    /** Generation parameters after template defaults are applied. */
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** Samplers by variable name. */
    samplers: text("samplers", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** Post-processing steps (dedup, filters, judge), run after generation. */
    steps: text("steps", { mode: "json" }).$type<unknown[]>().notNull().default(sql`'[]'`),
    rowCount: integer("row_count").notNull(),
    samplesPerRow: integer("samples_per_row").notNull(),
    concurrency: integer("concurrency").notNull(),
    seed: integer("seed").notNull(),
    status: text("status", { enum: jobStatuses }).notNull(),
    error: text("error"),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("jobs_tenant_idx").on(t.tenantId, t.createdAt),
    index("jobs_status_idx").on(t.status),
  ],
);

/** The seed rows of a job, stored with it so a resumed job sees the same inputs. */
export const jobRows = sqliteTable(
  "job_rows",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    rowIndex: integer("row_index").notNull(),
    variables: text("variables", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.rowIndex] })],
);

export type JobRow = typeof jobs.$inferSelect;
