/**
 * `/v1/jobs`, served by both halves from this one module: create, list, read, cancel, pause,
 * resume, page through samples and follow progress as SSE. Each half supplies a
 * {@link JobRunner}: the appliance generates on its own models in-process; the edge puts a job's
 * sample keys on a queue for its consumer. Statuses change here, in one conditional statement
 * each, so the two halves agree on what cancel, pause and resume mean.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { createApiApp } from "../../api/app.ts";
import { ApiError } from "../../api/errors.ts";
import type { Job } from "../../api/schemas/synth.ts";
import {
  cancelJobRoute,
  createJobRoute,
  estimateJobRoute,
  getJobRoute,
  jobEventsRoute,
  jobSamplesRoute,
  listJobsRoute,
  pauseJobRoute,
  resumeJobRoute,
} from "../../api/synth-routes.ts";
import { randomId } from "../../auth/api-keys.ts";
import { scopes } from "../../auth/scopes.ts";
import type { AnySqliteDb } from "../../db/audit.ts";
import type { JobModel, JobRow, JobStatus } from "../../db/schema/index.ts";
import { type IdentityEnv, requireScope } from "../../identity/principal.ts";
import { estimateJob, type MeasurePrompts } from "../estimate.ts";
import { compileFilterRegex, type PostStep } from "../postprocess.ts";
import {
  insertJob,
  type JobSnapshot,
  jobModels,
  type LiveProgress,
  listJobs,
  listSamples,
  readJobSnapshot,
  setJobStatus,
} from "../store/jobs.ts";
import { jobInputRows } from "../store/seed-sets.ts";
import { findTemplate } from "./templates.ts";

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** A job snapshot as the API shows it. */
export function toJob({ job, template, progress }: JobSnapshot): Job {
  const models = jobModels(job);
  return {
    id: job.id,
    object: "job",
    status: job.status,
    template: { name: template.name, version: template.version },
    model: job.model,
    model_version: job.modelVersion,
    model_sha256: job.modelSha256,
    models:
      models.length > 1
        ? models.map((m) => ({ name: m.name, model_version: m.version, model_sha256: m.sha256 }))
        : null,
    total: progress.total,
    rows: job.rowCount,
    samples_per_row: job.samplesPerRow / models.length,
    concurrency: job.concurrency,
    seed: job.seed,
    progress: {
      done: progress.done,
      ok: progress.ok,
      failed: progress.failed,
      kept: progress.kept,
      dropped: progress.dropped,
      completion_tokens: progress.completionTokens,
      rate: progress.rate,
      eta_seconds: progress.etaSeconds,
    },
    error: job.error,
    created_at: seconds(job.createdAt) as number,
    started_at: seconds(job.startedAt),
    finished_at: seconds(job.finishedAt),
  };
}

/** A job's snapshot; 404 for an unknown job or another tenant's. */
export async function findJob(
  db: AnySqliteDb,
  id: string,
  tenantId?: string,
  live?: LiveProgress,
): Promise<JobSnapshot> {
  const snapshot = await readJobSnapshot(db, id, tenantId, live);
  if (!snapshot) throw new ApiError(404, `No job '${id}'.`, { param: "id", code: "job_not_found" });
  return snapshot;
}

/** A page of samples as the API shows them (jobs and datasets). */
export async function sampleListResponse(
  db: AnySqliteDb,
  jobId: string,
  query: { offset: number; limit: number; status?: "ok" | "failed"; kept?: "true" | "false" },
) {
  const kept = query.kept === undefined ? undefined : query.kept === "true";
  const rows = await listSamples(db, jobId, { ...query, kept, limit: query.limit + 1 });
  return {
    object: "list" as const,
    has_more: rows.length > query.limit,
    data: rows.slice(0, query.limit).map((s) => ({
      row: s.rowIndex,
      sample: s.sampleIndex,
      status: s.status,
      variant: s.variant,
      kept: s.kept,
      decision: s.decision ?? null,
      variables: s.variables,
      columns: s.columns ?? null,
      output: s.output,
      error: s.error,
      attempts: s.attempts,
      completion_tokens: s.completionTokens,
      model: s.model,
      model_version: s.modelVersion,
      model_sha256: s.modelSha256,
    })),
  };
}

/** How a half runs the jobs this module stores. */
export interface JobRunner {
  /** Throws (a 503 naming what is missing) when this half cannot run jobs; checked before anything is stored. */
  ready?(): void;
  /** Starts work on a job just stored or resumed (status `queued`); only missing keys remain. */
  start(job: JobRow): Promise<void>;
  /** Stops work on a job just cancelled or paused; resolves once nothing more is generated here. */
  halt(id: string): Promise<void>;
  /** Figures only the runner knows while the job runs. */
  live?(id: string): LiveProgress | undefined;
  /** Calls `listener` on each progress change; returns the unsubscribe function. Without it, event streams poll. */
  subscribe?(id: string, listener: () => void): () => void;
}

/** What a half supplies. */
export interface JobRouteDeps<E extends IdentityEnv> {
  db(c: Context<E>): AnySqliteDb | Promise<AnySqliteDb>;
  now(): number;
  runner(c: Context<E>): JobRunner;
  /**
   * What a job generates on for a model name: the name its calls use (a name pinned to a version
   * where the half has versions) and that version; a bare string where the half has none. Throws
   * a 404 for a model this half cannot serve.
   */
  resolveModel(c: Context<E>, name: string): string | JobModel | Promise<string | JobModel>;
  /** Seed rows per insert statement (D1: 30). */
  rowsPerStatement?: number;
  /** Milliseconds between progress reads of an event stream whose runner cannot notify (default 1000). */
  pollMs?: number;
  /** True while the half shuts down: event streams end so it can. */
  draining?(): boolean;
  /** How this half measures a job's prompts (`POST /v1/jobs/estimate`). */
  measurePrompts(c: Context<E>): MeasurePrompts;
}

// A paused job ends the event stream too: watchers come back after resuming it.
const terminal = new Set<JobStatus>(["done", "failed", "cancelled", "paused"]);
const running: JobStatus[] = ["queued", "running"];

/** The routes, on an app of their own for the half to mount with `app.route("/", …)`. */
export function jobRoutes<E extends IdentityEnv>(deps: JobRouteDeps<E>): OpenAPIHono<E> {
  const app = createApiApp<E>();
  app.use("/v1/jobs", requireScope(scopes.jobs));
  app.use("/v1/jobs/*", requireScope(scopes.jobs));

  /** Refuses steps that could only fail later: a bad regex, a judge template or model that does not exist. */
  async function checkSteps(
    c: Context<E>,
    db: AnySqliteDb,
    tenantId: string,
    steps: PostStep[],
    comparison: boolean,
  ): Promise<PostStep[]> {
    for (const [index, step] of steps.entries()) {
      // A judge defaults to the job's model: in a comparison it would favour one side.
      if (step.type === "judge" && comparison && !step.model) {
        throw new ApiError(400, `steps.${index}.model is required in a job with several models`, {
          param: `steps.${index}.model`,
          code: "invalid_value",
        });
      }
      if (step.type === "filter" && step.regex !== undefined) {
        try {
          compileFilterRegex(step.regex);
        } catch (err) {
          throw new ApiError(
            400,
            `steps.${index}.regex is not a valid regular expression: ${(err as Error).message}`,
            { param: `steps.${index}.regex`, code: "invalid_value" },
          );
        }
      }
      if (step.type === "judge") {
        await findTemplate(db, tenantId, step.template, step.template_version);
        if (step.model) await deps.resolveModel(c, step.model);
      }
    }
    return steps;
  }

  // Tokens, time and cost of a job, without running it.
  app.openapi(estimateJobRoute, async (c) =>
    c.json(
      await estimateJob(
        await deps.db(c),
        c.get("principal").tenantId,
        c.req.valid("json"),
        deps.measurePrompts(c),
      ),
      200,
    ),
  );

  const snapshotOf = (c: Context<E>, db: AnySqliteDb, id: string) =>
    findJob(db, id, c.get("principal").tenantId, deps.runner(c).live?.(id));

  /** Moves a job from one of `from` to `to`, then lets the runner act; answers its snapshot. */
  async function transition(
    c: Context<E>,
    id: string,
    to: JobStatus,
    from: JobStatus[],
    fields: Parameters<typeof setJobStatus>[3],
    act: (runner: JobRunner, job: JobRow) => Promise<void>,
  ) {
    const db = await deps.db(c);
    const { job } = await snapshotOf(c, db, id);
    if (await setJobStatus(db, id, to, fields, from)) {
      await act(deps.runner(c), { ...job, ...fields, status: to });
    }
    return c.json(toJob(await snapshotOf(c, db, id)), 200);
  }

  app.openapi(createJobRoute, async (c) => {
    deps.runner(c).ready?.();
    const body = c.req.valid("json");
    const db = await deps.db(c);
    const { tenantId, keyId } = c.get("principal");
    const template = await findTemplate(db, tenantId, body.template, body.template_version);
    const models: JobModel[] = [];
    for (const name of body.models ?? [body.model as string]) {
      const resolved = await deps.resolveModel(c, name);
      models.push(
        typeof resolved === "string"
          ? { name, target: resolved, version: null, sha256: null }
          : resolved,
      );
    }
    const single = models.length === 1 ? models[0] : undefined;
    const rows = await jobInputRows(db, tenantId, body);
    const job = await insertJob(
      db,
      {
        id: randomId("job_"),
        tenantId,
        keyId,
        templateId: template.id,
        // As the client asked (a comparison: its first model); `models` says what runs.
        model: (models[0] as JobModel).name,
        modelVersion: single?.version ?? null,
        modelSha256: single?.sha256 ?? null,
        models,
        params: { ...template.params, ...body.params },
        samplers: body.samplers,
        rowCount: rows.length,
        samplesPerRow: body.samples_per_row * models.length,
        concurrency: body.concurrency,
        seed: body.seed ?? Math.floor(Math.random() * 2 ** 31),
        steps: await checkSteps(c, db, tenantId, body.steps, models.length > 1),
      },
      rows,
      new Date(deps.now()),
      deps.rowsPerStatement,
    );
    await deps.runner(c).start(job);
    return c.json(toJob(await snapshotOf(c, db, job.id)), 201);
  });

  app.openapi(listJobsRoute, async (c) => {
    const db = await deps.db(c);
    const rows = await listJobs(db, c.get("principal").tenantId);
    const data = await Promise.all(rows.map((job) => snapshotOf(c, db, job.id)));
    return c.json({ object: "list" as const, data: data.map(toJob) }, 200);
  });

  app.openapi(getJobRoute, async (c) =>
    c.json(toJob(await snapshotOf(c, await deps.db(c), c.req.valid("param").id)), 200),
  );

  // Cancel: a queued, running or paused job stops for good; its written samples stay.
  app.openapi(cancelJobRoute, (c) =>
    transition(
      c,
      c.req.valid("param").id,
      "cancelled",
      [...running, "paused"],
      { finishedAt: new Date(deps.now()) },
      (runner, job) => runner.halt(job.id),
    ),
  );

  // Pause: work in flight stops, written samples stay; resume generates only what is missing.
  app.openapi(pauseJobRoute, (c) =>
    transition(c, c.req.valid("param").id, "paused", running, {}, (runner, job) =>
      runner.halt(job.id),
    ),
  );

  app.openapi(resumeJobRoute, (c) => {
    deps.runner(c).ready?.();
    return transition(
      c,
      c.req.valid("param").id,
      "queued",
      ["paused", "cancelled", "failed"],
      { error: null, finishedAt: null },
      (runner, job) => runner.start(job),
    );
  });

  app.openapi(jobSamplesRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = await deps.db(c);
    await snapshotOf(c, db, id);
    return c.json(await sampleListResponse(db, id, c.req.valid("query")), 200);
  });

  app.openapi(jobEventsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = await deps.db(c);
    let latest = await snapshotOf(c, db, id);
    const runner = deps.runner(c);
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      // Set by a change the loop has not read yet, so one between a read and the wait is not lost.
      let changed = false;
      const unsubscribe = runner.subscribe?.(id, () => {
        changed = true;
        wake();
      });
      stream.onAbort(() => wake());
      try {
        let sent = "";
        for (;;) {
          const body = JSON.stringify(toJob(latest));
          if (body !== sent) {
            await stream.writeSSE({ data: body });
            sent = body;
          }
          if (terminal.has(latest.job.status) || stream.aborted || deps.draining?.()) break;
          if (unsubscribe) {
            // Woken by a change; a read every 15 s regardless, should a notice be lost.
            if (!changed) {
              await new Promise<void>((resolve) => {
                wake = resolve;
                setTimeout(resolve, 15_000);
              });
            }
            // Progress can arrive per sample; a client needs a few updates a second at most.
            await new Promise((resolve) => setTimeout(resolve, 200));
            changed = false;
          } else {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, deps.pollMs ?? 1000);
            });
          }
          if (stream.aborted) break;
          latest = await snapshotOf(c, db, id);
        }
      } finally {
        unsubscribe?.();
      }
    }) as never;
  });

  return app;
}
