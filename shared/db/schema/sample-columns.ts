import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs.ts";

/**
 * Generated columns of samples not committed yet: each column is saved as soon as it is made, so
 * a job killed between a sample's columns resumes with the columns already made. Committing the
 * sample deletes its rows here in the same transaction.
 */
export const sampleColumns = sqliteTable(
  "sample_columns",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    rowIndex: integer("row_index").notNull(),
    sampleIndex: integer("sample_index").notNull(),
    name: text("name").notNull(),
    value: text("value").notNull(),
    messages: text("messages", { mode: "json" })
      .$type<{ role: string; content: string }[]>()
      .notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.rowIndex, t.sampleIndex, t.name] })],
);
