/**
 * Job queries on any drizzle SQLite (D1 on the edge, better-sqlite3 on the appliance): a job
 * with its seed rows, its status, and counts of its samples.
 */
import { and, asc, count, desc, eq, inArray, sql, sum } from "drizzle-orm";
import type { AnySqliteDb } from "../../db/audit.ts";
import {
  type JobModel,
  type JobRow,
  type JobStatus,
  jobRows,
  jobs,
  type SampleRow,
  samples,
  type TemplateRow,
} from "../../db/schema/index.ts";
import type { JobProgress } from "../job-runner.ts";
import { getTemplateById } from "./templates.ts";

export type NewJob = Omit<typeof jobs.$inferInsert, "status" | "createdAt">;

/** What a job shows while its rows are being stored; a crash leaves it so, never half-queued. */
export const STORING_ROWS_ERROR = "interrupted while its rows were stored: create it again";

/**
 * Stores a job and its seed rows, `perStatement` rows per insert (D1 binds at most 100 values a
 * statement: three per row). D1 has no interactive transactions, so the job is written first as
 * failed ({@link STORING_ROWS_ERROR}) and queued only once every row is in: a crash in between
 * never leaves a job that would run on missing rows. A failed insert deletes the job.
 */
export async function insertJob(
  db: AnySqliteDb,
  job: NewJob,
  rows: Record<string, unknown>[],
  now: Date,
  perStatement = 500,
): Promise<JobRow> {
  await db
    .insert(jobs)
    .values({ ...job, status: "failed", error: STORING_ROWS_ERROR, createdAt: now });
  try {
    for (let at = 0; at < rows.length; at += perStatement) {
      await db
        .insert(jobRows)
        .values(
          rows
            .slice(at, at + perStatement)
            .map((variables, i) => ({ jobId: job.id, rowIndex: at + i, variables })),
        );
    }
  } catch (err) {
    await db.delete(jobs).where(eq(jobs.id, job.id));
    throw err;
  }
  const [created]: JobRow[] = await db
    .update(jobs)
    .set({ status: "queued", error: null })
    .where(eq(jobs.id, job.id))
    .returning();
  return created as JobRow;
}

/** The models a job generates on, in order (one for a job older than `jobs.models`). */
export function jobModels(
  job: Pick<JobRow, "model" | "modelVersion" | "modelSha256" | "models">,
): JobModel[] {
  if (job.models?.length) return job.models;
  return [
    { name: job.model, target: job.model, version: job.modelVersion, sha256: job.modelSha256 },
  ];
}

/** A job's generation targets, as the sample generator's `models` take them. */
export const jobTargets = (job: Parameters<typeof jobModels>[0]) =>
  jobModels(job).map((m) => m.target);

/** A job's own model the samples of key `sample` are generated on. */
export const jobModelOfSample = (job: Parameters<typeof jobModels>[0], sample: number) => {
  const models = jobModels(job);
  return models[sample % models.length] as JobModel;
};

/** A job, of `tenantId` when given. */
export async function getJob(
  db: AnySqliteDb,
  id: string,
  tenantId?: string,
): Promise<JobRow | undefined> {
  const where = tenantId ? and(eq(jobs.id, id), eq(jobs.tenantId, tenantId)) : eq(jobs.id, id);
  const [job]: JobRow[] = await db.select().from(jobs).where(where);
  return job;
}

/** A tenant's newest jobs. */
export async function listJobs(db: AnySqliteDb, tenantId: string, limit = 50): Promise<JobRow[]> {
  return db
    .select()
    .from(jobs)
    .where(eq(jobs.tenantId, tenantId))
    .orderBy(desc(jobs.createdAt))
    .limit(limit);
}

/**
 * Sets a job's status (and the fields given); with `from`, only if the job is in one of those
 * statuses, in the same statement. Says whether the job changed.
 */
export async function setJobStatus(
  db: AnySqliteDb,
  id: string,
  status: JobStatus,
  fields: Partial<Pick<JobRow, "error" | "startedAt" | "finishedAt">> = {},
  from?: readonly JobStatus[],
): Promise<boolean> {
  const changed: { id: string }[] = await db
    .update(jobs)
    .set({ status, ...fields })
    .where(from ? and(eq(jobs.id, id), inArray(jobs.status, [...from])) : eq(jobs.id, id))
    .returning({ id: jobs.id });
  return changed.length > 0;
}

/**
 * Marks a queued or running job done once each of its keys is written (ok or failed), in one
 * statement, so of several batches ending at once exactly one finishes it. Says whether it did.
 */
export async function finishJobIfComplete(
  db: AnySqliteDb,
  id: string,
  now: Date,
): Promise<boolean> {
  const written = sql`(select count(*) from ${samples} where ${samples.jobId} = ${id})`;
  const changed: { id: string }[] = await db
    .update(jobs)
    .set({ status: "done", finishedAt: now })
    .where(
      and(
        eq(jobs.id, id),
        inArray(jobs.status, ["queued", "running"]),
        sql`${written} >= ${jobs.rowCount} * ${jobs.samplesPerRow}`,
      ),
    )
    .returning({ id: jobs.id });
  return changed.length > 0;
}

/** Counts and tokens of a job's samples. */
export async function sampleStats(
  db: AnySqliteDb,
  jobId: string,
): Promise<{ ok: number; failed: number; completionTokens: number }> {
  const rows: { status: string; n: number; tokens: string | null }[] = await db
    .select({ status: samples.status, n: count(), tokens: sum(samples.completionTokens) })
    .from(samples)
    .where(eq(samples.jobId, jobId))
    .groupBy(samples.status);
  const ok = rows.find((r) => r.status === "ok");
  const failed = rows.find((r) => r.status === "failed");
  return { ok: ok?.n ?? 0, failed: failed?.n ?? 0, completionTokens: Number(ok?.tokens ?? 0) };
}

/** Counts of kept and dropped samples. */
export async function keptStats(
  db: AnySqliteDb,
  jobId: string,
): Promise<{ kept: number; dropped: number }> {
  const rows: { kept: boolean | null; n: number }[] = await db
    .select({ kept: samples.kept, n: count() })
    .from(samples)
    .where(eq(samples.jobId, jobId))
    .groupBy(samples.kept);
  return {
    kept: rows.find((r) => r.kept === true)?.n ?? 0,
    dropped: rows.find((r) => r.kept === false)?.n ?? 0,
  };
}

/** A page of a job's samples in key order. */
export async function listSamples(
  db: AnySqliteDb,
  jobId: string,
  options: { offset?: number; limit?: number; status?: "ok" | "failed"; kept?: boolean } = {},
): Promise<SampleRow[]> {
  const conditions = [eq(samples.jobId, jobId)];
  if (options.status) conditions.push(eq(samples.status, options.status));
  if (options.kept !== undefined) conditions.push(eq(samples.kept, options.kept));
  return db
    .select()
    .from(samples)
    .where(and(...conditions))
    .orderBy(asc(samples.rowIndex), asc(samples.sampleIndex))
    .limit(options.limit ?? 100)
    .offset(options.offset ?? 0);
}

/** Stores post-processing decisions, one statement per sample (D1 has no transactions; a rerun rewrites them). */
export async function saveDecisions(
  db: AnySqliteDb,
  decisions: { id: number; kept: boolean; decision: NonNullable<SampleRow["decision"]> }[],
): Promise<void> {
  for (const d of decisions) {
    await db
      .update(samples)
      .set({ kept: d.kept, decision: d.decision })
      .where(eq(samples.id, d.id));
  }
}

/** The names of all variables of a job's samples, sorted. */
export async function sampleVariableNames(db: AnySqliteDb, jobId: string): Promise<string[]> {
  const rows: { key: string }[] = await db.all(
    sql`select distinct v.key as key from ${samples} s, json_each(s.variables) v
        where s.job_id = ${jobId} order by v.key`,
  );
  return rows.map((r) => r.key);
}

/** A job with its template and progress, as the API shows it. */
export interface JobSnapshot {
  job: JobRow;
  template: TemplateRow;
  progress: JobProgress & { kept: number | null; dropped: number | null };
}

/** Live figures only the half running a job knows (samples a second, seconds left). */
export type LiveProgress = Pick<JobProgress, "rate" | "etaSeconds">;

/** A job's snapshot, or undefined for an unknown job (or another tenant's, with `tenantId`). */
export async function readJobSnapshot(
  db: AnySqliteDb,
  id: string,
  tenantId?: string,
  live?: LiveProgress,
): Promise<JobSnapshot | undefined> {
  const job = await getJob(db, id, tenantId);
  if (!job) return undefined;
  const [template, stats, decided] = await Promise.all([
    getTemplateById(db, job.templateId),
    sampleStats(db, id),
    keptStats(db, id),
  ]);
  const postprocessed = job.status === "done" && (job.steps as unknown[]).length > 0;
  return {
    job,
    template: template as TemplateRow,
    progress: {
      total: job.rowCount * job.samplesPerRow,
      done: stats.ok + stats.failed,
      ok: stats.ok,
      failed: stats.failed,
      completionTokens: stats.completionTokens,
      rate: live?.rate ?? 0,
      etaSeconds: live?.etaSeconds ?? null,
      kept: postprocessed ? decided.kept : null,
      dropped: postprocessed ? decided.dropped : null,
    },
  };
}
