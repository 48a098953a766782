import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { templates } from "./templates.ts";
import { tenants } from "./tenants.ts";

export const jobStatuses = ["queued", "running", "paused", "done", "failed", "cancelled"] as const;
export type JobStatus = (typeof jobStatuses)[number];

/**
 * One model a job generates on: the name the client gave, the name its calls use (`llama@3` for
 * a name pinned at creation to the version current then; the name itself for a split, whose
 * samples each record the version drawn, and on the edge) and that version and file.
 */
export interface JobModel {
  name: string;
  target: string;
  version: number | null;
  sha256: string | null;
}

/**
 * Batch generation jobs: template × rows × samples per row, on one model or (a comparison) on
 * each of several with the same inputs.
 */
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
    /** The model asked for (a comparison job: the first of `models`). */
    model: text("model").notNull(),
    /** The version and sha256 the model was pinned to; null on the edge, for a split and a comparison. */
    modelVersion: integer("model_version"),
    modelSha256: text("model_sha256"),
    /**
     * What the job generates on, in order: sample key s of a row uses `models[s % k]` with the
     * inputs and seed of sample `floor(s / k)`. Null for jobs older than this column (`model`).
     */
    models: text("models", { mode: "json" }).$type<JobModel[] | null>(),
    /** The API key that created the job (its samples are metered as that key's); null for others. */
    keyId: text("key_id"),
    /** Generation parameters after template defaults are applied. */
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** Samplers by variable name. */
    samplers: text("samplers", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** Post-processing steps (dedup, filters, judge), run after generation. */
    steps: text("steps", { mode: "json" }).$type<unknown[]>().notNull().default(sql`'[]'`),
    rowCount: integer("row_count").notNull(),
    /** Sample keys per row: the samples per row asked for, times the number of `models`. */
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
