import { and, asc, count, desc, eq, inArray, sql, sum } from "drizzle-orm";
import {
  type JobRow,
  type JobStatus,
  jobRows,
  jobs,
  type SampleRow,
  samples,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

export type NewJob = Omit<typeof jobs.$inferInsert, "status" | "createdAt">;

/** Inserts a job and its seed rows in one transaction (chunked, so any row count fits). */
export function createJob(db: Db, job: NewJob, rows: Record<string, unknown>[]): JobRow {
  return db.transaction((tx) => {
    const created = tx
      .insert(jobs)
      .values({ ...job, status: "queued" })
      .returning()
      .get();
    for (let at = 0; at < rows.length; at += 500) {
      tx.insert(jobRows)
        .values(
          rows
            .slice(at, at + 500)
            .map((variables, i) => ({ jobId: job.id, rowIndex: at + i, variables })),
        )
        .run();
    }
    return created;
  });
}

export function getJob(db: Db, id: string, tenantId?: string): JobRow | undefined {
  const where = tenantId ? and(eq(jobs.id, id), eq(jobs.tenantId, tenantId)) : eq(jobs.id, id);
  return db.select().from(jobs).where(where).get();
}

export function listJobs(db: Db, tenantId: string, limit = 50): JobRow[] {
  return db
    .select()
    .from(jobs)
    .where(eq(jobs.tenantId, tenantId))
    .orderBy(desc(jobs.createdAt))
    .limit(limit)
    .all();
}

export function jobsWithStatus(db: Db, statuses: JobStatus[]): JobRow[] {
  return db
    .select()
    .from(jobs)
    .where(inArray(jobs.status, statuses))
    .orderBy(asc(jobs.createdAt))
    .all();
}

export function setJobStatus(
  db: Db,
  id: string,
  status: JobStatus,
  fields: Partial<Pick<JobRow, "error" | "startedAt" | "finishedAt">> = {},
): void {
  db.update(jobs)
    .set({ status, ...fields })
    .where(eq(jobs.id, id))
    .run();
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

/** Counts and tokens of a job's samples. */
export function sampleStats(
  db: Db,
  jobId: string,
): { ok: number; failed: number; completionTokens: number } {
  const rows = db
    .select({ status: samples.status, n: count(), tokens: sum(samples.completionTokens) })
    .from(samples)
    .where(eq(samples.jobId, jobId))
    .groupBy(samples.status)
    .all();
  const ok = rows.find((r) => r.status === "ok");
  const failed = rows.find((r) => r.status === "failed");
  return { ok: ok?.n ?? 0, failed: failed?.n ?? 0, completionTokens: Number(ok?.tokens ?? 0) };
}

/** A page of a job's samples in key order. */
export function listSamples(
  db: Db,
  jobId: string,
  options: { offset?: number; limit?: number; status?: "ok" | "failed"; kept?: boolean } = {},
): SampleRow[] {
  const conditions = [eq(samples.jobId, jobId)];
  if (options.status) conditions.push(eq(samples.status, options.status));
  if (options.kept !== undefined) conditions.push(eq(samples.kept, options.kept));
  const where = and(...conditions);
  return db
    .select()
    .from(samples)
    .where(where)
    .orderBy(asc(samples.rowIndex), asc(samples.sampleIndex))
    .limit(options.limit ?? 100)
    .offset(options.offset ?? 0)
    .all();
}

/** The names of all variables of a job's samples, sorted. */
export function sampleVariableNames(db: Db, jobId: string): string[] {
  return db
    .all<{ key: string }>(
      sql`select distinct v.key as key from ${samples} s, json_each(s.variables) v
          where s.job_id = ${jobId} order by v.key`,
    )
    .map((r) => r.key);
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

/** Stores post-processing decisions in one transaction. */
export function saveDecisions(
  db: Db,
  decisions: { id: number; kept: boolean; decision: NonNullable<SampleRow["decision"]> }[],
): void {
  db.transaction((tx) => {
    for (const d of decisions)
      tx.update(samples)
        .set({ kept: d.kept, decision: d.decision })
        .where(eq(samples.id, d.id))
        .run();
  });
}

/** Counts of kept and dropped samples. */
export function keptStats(db: Db, jobId: string): { kept: number; dropped: number } {
  const rows = db
    .select({ kept: samples.kept, n: count() })
    .from(samples)
    .where(eq(samples.jobId, jobId))
    .groupBy(samples.kept)
    .all();
  return {
    kept: rows.find((r) => r.kept === true)?.n ?? 0,
    dropped: rows.find((r) => r.kept === false)?.n ?? 0,
  };
}

/** Deletes a job with its rows and samples (cascade), in one statement. */
export function deleteJob(db: Db, id: string): boolean {
  return db.delete(jobs).where(eq(jobs.id, id)).run().changes > 0;
}
