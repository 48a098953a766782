import type { OpenAPIHono } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { ApiError } from "../../../shared/api/errors.ts";
import type { Dataset } from "../../../shared/api/schemas/synth.ts";
import {
  datasetSamplesRoute,
  deleteDatasetRoute,
  exportDatasetRoute,
  listDatasetsRoute,
} from "../../../shared/api/synth-routes.ts";
import type { JobRow, SampleRow } from "../../../shared/db/schema/index.ts";
import { sampleListResponse } from "../../../shared/synth/routes/jobs.ts";
import { exportFormats, writeExport } from "../../datasets/export.ts";
import type { JobManager } from "../../jobs/manager.ts";
import type { Db } from "../../store/db.ts";
import { allSamples, deleteJob, jobsWithStatus } from "../../store/queries/jobs.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** Which samples make up a job's dataset: kept ones, or every successful one until post-processing has run. */
export function datasetFilter(job: JobRow): { kept: true } | { status: "ok" } {
  const decided = (job.steps as unknown[]).length > 0 && job.status === "done";
  return decided ? { kept: true } : { status: "ok" };
}

/** A finished dataset's job: 404 for an unknown or another tenant's, 409 while still being made. */
export async function finishedDataset(
  jobs: JobManager,
  id: string,
  tenantId: string,
): Promise<JobRow> {
  const { job } = await jobs.snapshot(id, tenantId);
  if (job.status !== "done")
    throw new ApiError(409, `Dataset '${id}' is not finished (its job is ${job.status}).`, {
      param: "id",
      code: "dataset_not_ready",
    });
  return job;
}

/** The samples that make up a job's dataset, in key order. */
export function datasetSamples(db: Db, job: JobRow): SampleRow[] {
  const filter = datasetFilter(job);
  return allSamples(db, job.id).filter((s) =>
    "kept" in filter ? s.kept === true : s.status === "ok",
  );
}

/** A finished job as a dataset, the way `GET /v1/datasets` shows it. */
export async function datasetOf(jobs: JobManager, job: JobRow): Promise<Dataset> {
  const { template, progress } = await jobs.snapshot(job.id);
  return {
    id: job.id,
    object: "dataset",
    job: job.id,
    template: { name: template.name, version: template.version },
    model: job.model,
    samples: progress.ok,
    kept: progress.kept ?? progress.ok,
    created_at: Math.floor((job.finishedAt ?? job.createdAt).getTime() / 1000),
  };
}

/** A tenant's datasets (its finished jobs). */
export function listDatasets(
  { db, jobs }: ApplianceServices,
  tenantId: string,
): Promise<Dataset[]> {
  return Promise.all(
    jobsWithStatus(db, ["done"])
      .filter((job) => job.tenantId === tenantId)
      .map((job) => datasetOf(jobs, job)),
  );
}

/** Mounts `/v1/datasets`: a dataset is what a finished job produced. */
export function mountDatasetRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  services: ApplianceServices,
): void {
  const { db, jobs } = services;
  app.use("/v1/datasets", requireScope("datasets"));
  app.use("/v1/datasets/*", requireScope("datasets"));

  app.openapi(listDatasetsRoute, async (c) =>
    c.json(
      { object: "list" as const, data: await listDatasets(services, c.get("principal").tenantId) },
      200,
    ),
  );

  app.openapi(datasetSamplesRoute, async (c) => {
    const { id } = c.req.valid("param");
    await jobs.snapshot(id, c.get("principal").tenantId);
    return c.json(await sampleListResponse(db, id, c.req.valid("query")), 200);
  });

  app.openapi(exportDatasetRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { format, include } = c.req.valid("query");
    const { job, template } = await jobs.snapshot(id, c.get("principal").tenantId);
    const filter = include === "all" ? {} : datasetFilter(job);
    const { contentType, extension } = exportFormats[format];
    c.header("content-type", contentType);
    c.header("content-disposition", `attachment; filename="${id}.${extension}"`);
    return stream(c, (out) =>
      writeExport(db, { id, template }, format, filter, (chunk) => out.write(chunk)),
    ) as never;
  });

  app.openapi(deleteDatasetRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenantId = c.get("principal").tenantId;
    await jobs.snapshot(id, tenantId);
    await jobs.halt(id);
    deleteJob(db, id);
    return c.json({ id, object: "dataset" as const, deleted: true as const }, 200);
  });
}
