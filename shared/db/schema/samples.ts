import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs.ts";

/**
 * Generated samples. (job, row, sample) is the deterministic key: a sample is written once, in
 * one statement with its result, so a job resumed after a crash never duplicates one.
 */
export const samples = sqliteTable(
  "samples",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    rowIndex: integer("row_index").notNull(),
    sampleIndex: integer("sample_index").notNull(),
    status: text("status", { enum: ["ok", "failed"] }).notNull(),
    /** The A/B variant of the template this sample was rendered with, or null. */
    variant: text("variant"),
    /** The variables the prompt was rendered with (row + sampled). */
    variables: text("variables", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    messages: text("messages", { mode: "json" }).$type<{ role: string; content: string }[]>(),
    output: text("output"),
    /** Generated columns by name (generation order): value and prompt; null without columns. */
    columns: text("columns", { mode: "json" }).$type<Record<
      string,
      { value: string; messages: { role: string; content: string }[] }
    > | null>(),
    error: text("error"),
    attempts: integer("attempts").notNull(),
    /** After post-processing: kept in the dataset or dropped; null before it ran. */
    kept: integer("kept", { mode: "boolean" }),
    /** Which step dropped the sample and why, and the scores computed on the way. */
    decision: text("decision", { mode: "json" }).$type<{
      step: number | null;
      type: string | null;
      reason: string | null;
      scores: Record<string, number>;
    }>(),
    /**
     * The model that produced the output (its name, as the answer reported it), the version and
     * its file's sha256: null where not known (failed samples, rows older than these columns;
     * version and sha256 also for a model that is not an appliance's local file).
     */
    model: text("model"),
    modelVersion: integer("model_version"),
    modelSha256: text("model_sha256"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [
    uniqueIndex("samples_key_idx").on(t.jobId, t.rowIndex, t.sampleIndex),
    index("samples_job_status_idx").on(t.jobId, t.status),
  ],
);

export type SampleRow = typeof samples.$inferSelect;
