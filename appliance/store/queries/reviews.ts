/**
 * The review queue's rows: tasks (a sample assigned to a user, with that user's verdict) and the
 * queue's rubric. Tasks are read joined with their sample and reviewer, as the API shows them.
 */
import { and, asc, count, eq } from "drizzle-orm";
import { randomId } from "../../../shared/auth/api-keys.ts";
import {
  type ReviewDecision,
  type ReviewQueueRow,
  type RubricCriterion,
  reviewQueues,
  reviewTasks,
  samples,
  users,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

export function getReviewQueue(db: Db, jobId: string): ReviewQueueRow | undefined {
  return db.select().from(reviewQueues).where(eq(reviewQueues.jobId, jobId)).get();
}

/** The queue of a dataset, made with `rubric` on first use; an existing rubric is kept. */
export function ensureReviewQueue(
  db: Db,
  jobId: string,
  tenantId: string,
  rubric: RubricCriterion[],
): ReviewQueueRow {
  db.insert(reviewQueues).values({ jobId, tenantId, rubric }).onConflictDoNothing().run();
  return getReviewQueue(db, jobId) as ReviewQueueRow;
}

/** Creates tasks that do not exist yet, in one transaction; returns how many were new. */
export function createReviewTasks(
  db: Db,
  jobId: string,
  pairs: readonly { sampleId: number; reviewerId: string }[],
): number {
  return db.transaction(
    (tx) => {
      let created = 0;
      for (let at = 0; at < pairs.length; at += 500) {
        created += tx
          .insert(reviewTasks)
          .values(
            pairs.slice(at, at + 500).map((p) => ({
              id: randomId("rvt_"),
              jobId,
              sampleId: p.sampleId,
              reviewerId: p.reviewerId,
              status: "pending" as const,
            })),
          )
          .onConflictDoNothing()
          .run().changes;
      }
      return created;
    },
    { behavior: "immediate" },
  );
}

const taskColumns = {
  task: reviewTasks,
  reviewer: users.username,
  row: samples.rowIndex,
  sample: samples.sampleIndex,
  output: samples.output,
  variables: samples.variables,
  scores: samples.decision,
};

/** A task with its sample and reviewer's name. */
export type ReviewTaskView = {
  task: typeof reviewTasks.$inferSelect;
  reviewer: string;
  row: number;
  sample: number;
  output: string | null;
  variables: Record<string, unknown>;
  scores: { scores: Record<string, number> } | null;
};

function taskConditions(
  jobId: string,
  filter: { reviewerId?: string; status?: "pending" | "done"; taskId?: string },
) {
  const conditions = [eq(reviewTasks.jobId, jobId)];
  if (filter.reviewerId) conditions.push(eq(reviewTasks.reviewerId, filter.reviewerId));
  if (filter.status) conditions.push(eq(reviewTasks.status, filter.status));
  if (filter.taskId) conditions.push(eq(reviewTasks.id, filter.taskId));
  return and(...conditions);
}

/** Tasks in (row, sample, reviewer) order, and how many match in all. */
export function listReviewTasks(
  db: Db,
  jobId: string,
  filter: { reviewerId?: string; status?: "pending" | "done"; taskId?: string } = {},
  page: { offset?: number; limit?: number } = {},
): { data: ReviewTaskView[]; total: number } {
  const where = taskConditions(jobId, filter);
  const data = db
    .select(taskColumns)
    .from(reviewTasks)
    .innerJoin(samples, eq(samples.id, reviewTasks.sampleId))
    .innerJoin(users, eq(users.id, reviewTasks.reviewerId))
    .where(where)
    .orderBy(asc(samples.rowIndex), asc(samples.sampleIndex), asc(users.username))
    .limit(page.limit ?? -1)
    .offset(page.offset ?? 0)
    .all() as ReviewTaskView[];
  const total = db.select({ n: count() }).from(reviewTasks).where(where).get()?.n ?? 0;
  return { data, total };
}

/** A reviewer's verdict on a task (replacing an earlier one). */
export interface VerdictRow {
  decision: ReviewDecision | null;
  ratings: Record<string, number>;
  editedOutput: string | null;
  comment: string | null;
  reviewedAt: Date | null;
}

export function saveVerdict(db: Db, taskId: string, verdict: VerdictRow): void {
  db.update(reviewTasks)
    .set({ ...verdict, status: verdict.decision === null ? "pending" : "done" })
    .where(eq(reviewTasks.id, taskId))
    .run();
}

/**
 * Imports tasks and verdicts in one transaction (all lines or none): an existing (sample,
 * reviewer) task is updated, a missing one created. Returns the counts.
 */
export function importReviewTasks(
  db: Db,
  jobId: string,
  lines: readonly ({ sampleId: number; reviewerId: string } & VerdictRow)[],
): { created: number; updated: number } {
  return db.transaction(
    (tx) => {
      let created = 0;
      let updated = 0;
      for (const line of lines) {
        const { sampleId, reviewerId, ...verdict } = line;
        const values = {
          ...verdict,
          status: verdict.decision === null ? "pending" : "done",
        } as const;
        const changed = tx
          .update(reviewTasks)
          .set(values)
          .where(and(eq(reviewTasks.sampleId, sampleId), eq(reviewTasks.reviewerId, reviewerId)))
          .run().changes;
        if (changed > 0) updated++;
        else {
          tx.insert(reviewTasks)
            .values({ id: randomId("rvt_"), jobId, sampleId, reviewerId, ...values })
            .run();
          created++;
        }
      }
      return { created, updated };
    },
    { behavior: "immediate" },
  );
}

/** Task counts by status. */
export function reviewTaskCounts(db: Db, jobId: string): { pending: number; done: number } {
  const rows = db
    .select({ status: reviewTasks.status, n: count() })
    .from(reviewTasks)
    .where(eq(reviewTasks.jobId, jobId))
    .groupBy(reviewTasks.status)
    .all();
  return {
    pending: rows.find((r) => r.status === "pending")?.n ?? 0,
    done: rows.find((r) => r.status === "done")?.n ?? 0,
  };
}
