import type { OpenAPIHono } from "@hono/zod-openapi";
import type { JobRow, SampleRow } from "../../../shared/db/schema/index.ts";
import { datasetFilter, datasetRoutes } from "../../../shared/synth/routes/datasets.ts";
import type { Db } from "../../store/db.ts";
import { allSamples } from "../../store/queries/jobs.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** The samples that make up a job's dataset, in key order. */
export function datasetSamples(db: Db, job: JobRow): SampleRow[] {
  const filter = datasetFilter(job);
  return allSamples(db, job.id).filter((s) =>
    "kept" in filter ? s.kept === true : s.status === "ok",
  );
}

/** Mounts `/v1/datasets` (the module both halves share); exports stream from SQLite. */
export function mountDatasetRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { db, jobs }: ApplianceServices,
): void {
  app.route("/", datasetRoutes<ApplianceEnv>({ db: () => db, runner: () => jobs }));
}
