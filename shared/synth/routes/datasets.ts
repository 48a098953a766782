/**
 * `/v1/datasets`, served by both halves from this one module: a dataset is what a finished job
 * produced. List, page through samples, export (JSONL, chat JSONL, CSV, Parquet) and delete.
 * An export is written once into the half's export store where it has one (the edge's R2 bucket)
 * and streamed from there after; without one it streams from the database each time.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { stream } from "hono/streaming";
import { createApiApp } from "../../api/app.ts";
import { ApiError } from "../../api/errors.ts";
import type { Dataset } from "../../api/schemas/synth.ts";
import {
  datasetSamplesRoute,
  deleteDatasetRoute,
  exportDatasetRoute,
  listDatasetsRoute,
} from "../../api/synth-routes.ts";
import { scopes } from "../../auth/scopes.ts";
import type { AnySqliteDb } from "../../db/audit.ts";
import { type JobRow, jobs } from "../../db/schema/index.ts";
import { type IdentityEnv, requireScope } from "../../identity/principal.ts";
import { type ExportFormat, exportFormats, type SampleFilter, writeExport } from "../export.ts";
import type { JobSnapshot } from "../store/jobs.ts";
import { findJob, type JobRunner, sampleListResponse } from "./jobs.ts";

/** Which samples make up a job's dataset: kept ones, or every successful one until post-processing has run. */
export function datasetFilter(job: JobRow): { kept: true } | { status: "ok" } {
  const decided = (job.steps as unknown[]).length > 0 && job.status === "done";
  return decided ? { kept: true } : { status: "ok" };
}

/** A finished dataset's job: 404 for an unknown or another tenant's, 409 while still being made. */
export async function finishedDataset(
  db: AnySqliteDb,
  id: string,
  tenantId: string,
): Promise<JobSnapshot> {
  const snapshot = await findJob(db, id, tenantId);
  if (snapshot.job.status !== "done")
    throw new ApiError(
      409,
      `Dataset '${id}' is not finished (its job is ${snapshot.job.status}).`,
      { param: "id", code: "dataset_not_ready" },
    );
  return snapshot;
}

/** A finished job as a dataset, the way `GET /v1/datasets` shows it. */
export function toDataset({ job, template, progress }: JobSnapshot): Dataset {
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

/** A tenant's datasets (its finished jobs), newest first. */
export async function listDatasets(db: AnySqliteDb, tenantId: string): Promise<Dataset[]> {
  const done: JobRow[] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.status, "done")))
    .orderBy(desc(jobs.finishedAt));
  const snapshots = await Promise.all(done.map((job) => findJob(db, job.id)));
  return snapshots.map(toDataset);
}

/** Where a half keeps written exports (the edge: R2). Keys are the module's. */
export interface ExportStore {
  /** A stored export's bytes, or null when none is stored under `key`. */
  get(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Stores what `produce` writes under `key` (at the end, all of it or nothing). */
  put(
    key: string,
    produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
  ): Promise<void>;
  /** Deletes every export stored under `prefix`. */
  deleteAll(prefix: string): Promise<void>;
}

/** What a half supplies. */
export interface DatasetRouteDeps<E extends IdentityEnv> {
  db(c: Context<E>): AnySqliteDb | Promise<AnySqliteDb>;
  runner(c: Context<E>): JobRunner;
  /** The half's export store, if it has one. */
  exports?(c: Context<E>): ExportStore | undefined;
}

/** The prefix of a dataset's stored exports. */
const exportPrefix = (job: JobRow) => `datasets/${job.tenantId}/${job.id}/`;

/** The routes, on an app of their own for the half to mount with `app.route("/", …)`. */
export function datasetRoutes<E extends IdentityEnv>(deps: DatasetRouteDeps<E>): OpenAPIHono<E> {
  const app = createApiApp<E>();
  app.use("/v1/datasets", requireScope(scopes.datasets));
  app.use("/v1/datasets/*", requireScope(scopes.datasets));

  app.openapi(listDatasetsRoute, async (c) =>
    c.json(
      {
        object: "list" as const,
        data: await listDatasets(await deps.db(c), c.get("principal").tenantId),
      },
      200,
    ),
  );

  app.openapi(datasetSamplesRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = await deps.db(c);
    await findJob(db, id, c.get("principal").tenantId);
    return c.json(await sampleListResponse(db, id, c.req.valid("query")), 200);
  });

  app.openapi(exportDatasetRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { format, include } = c.req.valid("query");
    const db = await deps.db(c);
    const { job, template } = await findJob(db, id, c.get("principal").tenantId);
    const filter: SampleFilter = include === "all" ? {} : datasetFilter(job);
    const { contentType, extension } = exportFormats[format as ExportFormat];
    c.header("content-type", contentType);
    c.header("content-disposition", `attachment; filename="${id}.${extension}"`);
    const produce = (write: (chunk: string | Uint8Array) => Promise<unknown>) =>
      writeExport(db, { id, template }, format, filter, write);
    const store = job.status === "done" ? deps.exports?.(c) : undefined;
    if (!store) return stream(c, (out) => produce((chunk) => out.write(chunk))) as never;
    // A finished dataset never changes: written once, then served from the store.
    const key = `${exportPrefix(job)}${include}.${format}`;
    let body = await store.get(key);
    if (!body) {
      await store.put(key, async (write) => {
        await produce(write);
      });
      body = await store.get(key);
    }
    return c.body(body as ReadableStream<Uint8Array>, 200);
  });

  app.openapi(deleteDatasetRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = await deps.db(c);
    const { job } = await findJob(db, id, c.get("principal").tenantId);
    await deps.runner(c).halt(id);
    await deps.exports?.(c)?.deleteAll(exportPrefix(job));
    await db.delete(jobs).where(eq(jobs.id, id));
    return c.json({ id, object: "dataset" as const, deleted: true as const }, 200);
  });

  return app;
}
