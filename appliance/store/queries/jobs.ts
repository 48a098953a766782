import { asc, eq, inArray } from "drizzle-orm";
import {
  type JobRow,
  type JobStatus,
  jobRows,
  jobs,
  type SampleRow,
  samples,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

export function jobsWithStatus(db: Db, statuses: JobStatus[]): JobRow[] {
  return db
    .select()
    .from(jobs)
    .where(inArray(jobs.status, statuses))
    .orderBy(asc(jobs.createdAt))
    .all();
}

/** The seed rows of a job, by index. */
export function loadJobRows(db: Db, jobId: string): Record<string, unknown>[] {
  const rows = db
    .select()
    .from(jobRows)
    .where(eq(jobRows.jobId, jobId))
    .orderBy(asc(jobRows.rowIndex))
    .all();
  return rows.map((r) => r.variables);
}

/** Every sample of a job in key order (post-processing reads them all). */
export function allSamples(db: Db, jobId: string): SampleRow[] {
  return db
    .select()
    .from(samples)
    .where(eq(samples.jobId, jobId))
    .orderBy(asc(samples.rowIndex), asc(samples.sampleIndex))
    .all();
}
