import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { samples } from "./samples.ts";
import { validationRuns } from "./validation-runs.ts";

/** The figures of one sample in one validation run, by metric name. */
export const validationResults = sqliteTable(
  "validation_results",
  {
    runId: text("run_id")
      .notNull()
      .references(() => validationRuns.id, { onDelete: "cascade" }),
    sampleId: integer("sample_id")
      .notNull()
      .references(() => samples.id, { onDelete: "cascade" }),
    figures: text("figures", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.sampleId] })],
);

export type ValidationResultRow = typeof validationResults.$inferSelect;
