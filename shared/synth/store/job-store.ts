/**
 * A job's results on any drizzle SQLite (D1 on the edge, better-sqlite3 on the appliance), as
 * the job engine's {@link JobStore}: each sample is written with its key in one statement (a key
 * written before is left as it is, so a redelivered batch or a resumed job writes nothing
 * twice), and the trigger of migration 0019 drops the sample's saved columns in that statement.
 */
import { and, between, eq } from "drizzle-orm";
import type { AnySqliteDb } from "../../db/audit.ts";
import { sampleColumns, samples } from "../../db/schema/index.ts";
import { recordedColumns } from "../columns.ts";
import {
  type ColumnValue,
  type JobStore,
  type SampleOutcome,
  type SampleTask,
  sampleKey,
} from "../job-runner.ts";

/** The saved columns of one sample of a job (a where condition). */
const columnsOfSample = (jobId: string, task: SampleTask) =>
  and(
    eq(sampleColumns.jobId, jobId),
    eq(sampleColumns.rowIndex, task.row),
    eq(sampleColumns.sampleIndex, task.sample),
  );

/**
 * Keys (`row:sample`) already written for a job, or for its rows from the least to the greatest
 * of `rows` (a range, not a list: D1 binds at most 100 values a statement, a batch may span more
 * rows; the extra keys read are never asked about).
 */
export async function committedSampleKeys(
  db: AnySqliteDb,
  jobId: string,
  rows?: readonly number[],
): Promise<Set<string>> {
  const where = rows?.length
    ? and(eq(samples.jobId, jobId), between(samples.rowIndex, Math.min(...rows), Math.max(...rows)))
    : eq(samples.jobId, jobId);
  const written: { row: number; sample: number }[] = await db
    .select({ row: samples.rowIndex, sample: samples.sampleIndex })
    .from(samples)
    .where(where);
  return new Set(written.map(sampleKey));
}

/** Writes a sample with its result in one statement; a key written before is left as it is. */
export async function commitSample(
  db: AnySqliteDb,
  jobId: string,
  outcome: SampleOutcome,
): Promise<void> {
  await db
    .insert(samples)
    .values({
      jobId,
      rowIndex: outcome.row,
      sampleIndex: outcome.sample,
      status: outcome.status,
      variables: outcome.variables,
      attempts: outcome.attempts,
      ...(outcome.status === "ok"
        ? {
            variant: outcome.variant ?? null,
            messages: outcome.messages,
            output: outcome.output,
            columns: recordedColumns(outcome.columns),
            promptTokens: outcome.promptTokens,
            completionTokens: outcome.completionTokens,
            model: outcome.provenance?.name ?? null,
            modelVersion: outcome.provenance?.version ?? null,
            modelSha256: outcome.provenance?.sha256 ?? null,
          }
        : { error: outcome.error }),
    })
    .onConflictDoNothing();
}

/** The columns saved so far for an uncommitted sample of a job. */
export async function loadSampleColumns(
  db: AnySqliteDb,
  jobId: string,
  task: SampleTask,
): Promise<Record<string, ColumnValue>> {
  const rows: (typeof sampleColumns.$inferSelect)[] = await db
    .select()
    .from(sampleColumns)
    .where(columnsOfSample(jobId, task));
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
export async function saveSampleColumn(
  db: AnySqliteDb,
  jobId: string,
  task: SampleTask,
  name: string,
  column: ColumnValue,
): Promise<void> {
  await db
    .insert(sampleColumns)
    .values({ jobId, rowIndex: task.row, sampleIndex: task.sample, name, ...column })
    .onConflictDoNothing();
}

/**
 * The job engine's store for `jobId`; with `tasks` (a queue batch's keys), only their rows are
 * read for what is already written.
 */
export function sqliteJobStore(
  db: AnySqliteDb,
  jobId: string,
  tasks?: readonly SampleTask[],
): JobStore {
  return {
    committedKeys: () =>
      committedSampleKeys(
        db,
        jobId,
        tasks?.map((t) => t.row),
      ),
    commit: (outcome) => commitSample(db, jobId, outcome),
    loadColumns: (task) => loadSampleColumns(db, jobId, task),
    saveColumn: (task, name, column) => saveSampleColumn(db, jobId, task, name, column),
  };
}
