/** Recorded validation runs of datasets and their per-sample figures. */
import { and, asc, desc, eq } from "drizzle-orm";
import { randomId } from "../../../shared/auth/api-keys.ts";
import {
  samples,
  type ValidationRunRow,
  validationResults,
  validationRuns,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

/** Records a run and every sample's figures in one transaction; returns the run. */
export function recordValidationRun(
  db: Db,
  run: Omit<ValidationRunRow, "id" | "createdAt">,
  perSample: readonly { sampleId: number; figures: Record<string, unknown> }[],
): ValidationRunRow {
  return db.transaction(
    (tx) => {
      const created = tx
        .insert(validationRuns)
        .values({ ...run, id: randomId("val_") })
        .returning()
        .get();
      for (let at = 0; at < perSample.length; at += 500)
        tx.insert(validationResults)
          .values(perSample.slice(at, at + 500).map((r) => ({ runId: created.id, ...r })))
          .run();
      return created;
    },
    { behavior: "immediate" },
  );
}

export function listValidationRuns(db: Db, jobId: string): ValidationRunRow[] {
  return db
    .select()
    .from(validationRuns)
    .where(eq(validationRuns.jobId, jobId))
    .orderBy(desc(validationRuns.createdAt), desc(validationRuns.id))
    .all();
}

export function getValidationRun(db: Db, jobId: string, id: string): ValidationRunRow | undefined {
  return db
    .select()
    .from(validationRuns)
    .where(and(eq(validationRuns.jobId, jobId), eq(validationRuns.id, id)))
    .get();
}

/** A run's per-sample figures in (row, sample) order. */
export function validationResultsOf(
  db: Db,
  runId: string,
): { row: number; sample: number; figures: Record<string, unknown> }[] {
  return db
    .select({
      row: samples.rowIndex,
      sample: samples.sampleIndex,
      figures: validationResults.figures,
    })
    .from(validationResults)
    .innerJoin(samples, eq(samples.id, validationResults.sampleId))
    .where(eq(validationResults.runId, runId))
    .orderBy(asc(samples.rowIndex), asc(samples.sampleIndex))
    .all();
}
