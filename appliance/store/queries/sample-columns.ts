import { and, eq } from "drizzle-orm";
import { sampleColumns } from "../../../shared/db/schema/index.ts";
import type { ColumnValue, SampleTask } from "../../../shared/synth/job-runner.ts";
import type { Db } from "../db.ts";

/** The saved columns of one sample of a job (a where condition). */
export const columnsOfSample = (jobId: string, task: SampleTask) =>
  and(
    eq(sampleColumns.jobId, jobId),
    eq(sampleColumns.rowIndex, task.row),
    eq(sampleColumns.sampleIndex, task.sample),
  );

/** The columns saved so far for an uncommitted sample of a job. */
export function loadSampleColumns(
  db: Db,
  jobId: string,
  task: SampleTask,
): Record<string, ColumnValue> {
  const rows = db.select().from(sampleColumns).where(columnsOfSample(jobId, task)).all();
  return Object.fromEntries(
    rows.map((r) => [
      r.name,
      {
        value: r.value,
        messages: r.messages,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
      },
    ]),
  );
}

/** Saves one generated column of an uncommitted sample; a column saved before stays as it is. */
export function saveSampleColumn(
  db: Db,
  jobId: string,
  task: SampleTask,
  name: string,
  column: ColumnValue,
): void {
  db.insert(sampleColumns)
    .values({ jobId, rowIndex: task.row, sampleIndex: task.sample, name, ...column })
    .onConflictDoNothing()
    .run();
}
