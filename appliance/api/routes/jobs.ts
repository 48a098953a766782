import type { OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { ApiError } from "../../../shared/api/errors.ts";
import type { Job } from "../../../shared/api/schemas/synth.ts";
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
} from "../../../shared/api/synth-routes.ts";
import { randomId } from "../../../shared/auth/api-keys.ts";
import { compileFilterRegex, type PostStep } from "../../../shared/synth/postprocess.ts";
import { findTemplate } from "../../../shared/synth/routes/templates.ts";
import { previewSample, variablesOf } from "../../../shared/synth/sample-generator.ts";
import { getSeedSet, loadSeedRows } from "../../../shared/synth/store/seed-sets.ts";
import type { JobSnapshot } from "../../jobs/manager.ts";
import type { Db } from "../../store/db.ts";
import { listJobs, listSamples } from "../../store/queries/jobs.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** A job snapshot as the API shows it. */
export function toJob({ job, template, progress }: JobSnapshot): Job {
  return {
    id: job.id,
    object: "job",
    status: job.status,
    template: { name: template.name, version: template.version },
    model: job.model,
    total: progress.total,
    rows: job.rowCount,
    samples_per_row: job.samplesPerRow,
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

// A paused job ends the event stream too: watchers come back after resuming it.
const terminal = new Set(["done", "failed", "cancelled", "paused"]);

/** A job's rows: inline, an uploaded seed set (404 if unknown), or empty rows for samplers only. */
async function jobInputRows(
  services: ApplianceServices,
  tenantId: string,
  body: { rows?: Record<string, unknown>[]; row_count?: number; seed_set?: string },
): Promise<Record<string, unknown>[]> {
  if (body.seed_set) {
    if (!(await getSeedSet(services.db, tenantId, body.seed_set))) {
      throw new ApiError(404, `No seed set '${body.seed_set}'.`, {
        param: "seed_set",
        code: "seed_set_not_found",
      });
    }
    return loadSeedRows(services.db, body.seed_set);
  }
  return body.rows ?? Array.from({ length: body.row_count ?? 0 }, () => ({}));
}

/** A page of samples as the API shows them (shared by jobs and datasets). */
export function sampleListResponse(
  db: Db,
  jobId: string,
  query: { offset: number; limit: number; status?: "ok" | "failed"; kept?: "true" | "false" },
) {
  const kept = query.kept === undefined ? undefined : query.kept === "true";
  const rows = listSamples(db, jobId, { ...query, kept, limit: query.limit + 1 });
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
    })),
  };
}

/** Refuses steps that could only fail later: a bad regex, a judge template or model that does not exist. */
async function checkSteps(
  services: ApplianceServices,
  tenantId: string,
  steps: PostStep[],
): Promise<PostStep[]> {
  for (const [index, step] of steps.entries()) {
    if (step.type === "filter" && step.regex !== undefined) {
      try {
        compileFilterRegex(step.regex);
      } catch (err) {
        throw new ApiError(
          400,
          `steps.${index}.regex is not a valid regular expression: ${(err as Error).message}`,
          {
            param: `steps.${index}.regex`,
            code: "invalid_value",
          },
        );
      }
    }
    if (step.type === "judge") {
      await findTemplate(services.db, tenantId, step.template, step.template_version);
      if (step.model) services.host.resolve(step.model);
    }
  }
  return steps;
}

/** Mounts `/v1/jobs`. */
export function mountJobRoutes(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices): void {
  const { jobs, host, db } = services;
  app.use("/v1/jobs", requireScope("jobs"));
  app.use("/v1/jobs/*", requireScope("jobs"));

  app.openapi(createJobRoute, async (c) => {
    const body = c.req.valid("json");
    const tenantId = c.get("principal").tenantId;
    const template = await findTemplate(db, tenantId, body.template, body.template_version);
    const model = host.resolve(body.model).name;
    const rows = await jobInputRows(services, c.get("principal").tenantId, body);
    const job = jobs.create(
      {
        id: randomId("job_"),
        tenantId,
        templateId: template.id,
        model,
        params: { ...template.params, ...body.params },
        samplers: body.samplers,
        rowCount: rows.length,
        samplesPerRow: body.samples_per_row,
        concurrency: body.concurrency,
        seed: body.seed ?? Math.floor(Math.random() * 2 ** 31),
        steps: await checkSteps(services, tenantId, body.steps),
      },
      rows,
    );
    return c.json(toJob(jobs.snapshot(job.id, tenantId)), 201);
  });

  app.openapi(estimateJobRoute, async (c) => {
    const body = c.req.valid("json");
    const template = await findTemplate(
      db,
      c.get("principal").tenantId,
      body.template,
      body.template_version,
    );
    const rows = await jobInputRows(services, c.get("principal").tenantId, body);
    const total = rows.length * body.samples_per_row;
    const seed = body.seed ?? 0;
    const sampling = { rows: (row: number) => rows[row] ?? {}, samplers: body.samplers, seed };
    // Up to 200 prompts, spread over the job, stand for all of them.
    const measured = Math.min(total, 200);
    const picks = Array.from({ length: measured }, (_, i) => Math.floor((i * total) / measured));
    // With generated columns, each column's prompt counts too (their outputs as placeholders).
    const prompts = picks.flatMap((k) => {
      const task = { row: Math.floor(k / body.samples_per_row), sample: k % body.samples_per_row };
      const sample = previewSample(template, variablesOf(sampling, task), seed, task);
      return [...Object.values(sample.columns ?? {}), sample.messages];
    });
    const measure = await services.engine.measurePrompts(body.model, prompts);
    const sum = measure.promptTokens.reduce((a, b) => a + b, 0);
    const average = measured ? sum / measured : 0;
    const params = { ...template.params, ...body.params } as { max_tokens?: number };
    const callsPerSample = 1 + (template.columns?.length ?? 0);
    const perCall = Math.max(0, measure.contextSize - Math.ceil(average / callsPerSample));
    const maxTokens = [params, ...(template.columns ?? []).map((c) => ({ ...params, ...c.params }))]
      .map((p) => p.max_tokens ?? perCall)
      .reduce((a, b) => a + b, 0);
    const maxCompletion = total * maxTokens;
    return c.json(
      {
        object: "job_estimate" as const,
        model: measure.model,
        samples: total,
        prompt_tokens: measured === total ? sum : Math.round(average * total),
        prompt_tokens_exact: measured === total && !template.columns?.length,
        max_completion_tokens: maxCompletion,
        tokens_per_second: measure.tokensPerSecond,
        max_seconds: measure.tokensPerSecond ? maxCompletion / measure.tokensPerSecond : null,
      },
      200,
    );
  });

  app.openapi(listJobsRoute, (c) => {
    const tenantId = c.get("principal").tenantId;
    return c.json(
      {
        object: "list" as const,
        data: listJobs(db, tenantId).map((job) => toJob(jobs.snapshot(job.id))),
      },
      200,
    );
  });

  app.openapi(getJobRoute, (c) =>
    c.json(toJob(jobs.snapshot(c.req.valid("param").id, c.get("principal").tenantId)), 200),
  );

  app.openapi(cancelJobRoute, async (c) =>
    c.json(toJob(await jobs.cancel(c.req.valid("param").id, c.get("principal").tenantId)), 200),
  );

  app.openapi(pauseJobRoute, async (c) =>
    c.json(toJob(await jobs.pause(c.req.valid("param").id, c.get("principal").tenantId)), 200),
  );

  app.openapi(resumeJobRoute, (c) =>
    c.json(toJob(jobs.resume(c.req.valid("param").id, c.get("principal").tenantId)), 200),
  );

  app.openapi(jobSamplesRoute, (c) => {
    const { id } = c.req.valid("param");
    jobs.snapshot(id, c.get("principal").tenantId);
    return c.json(sampleListResponse(db, id, c.req.valid("query")), 200);
  });

  app.openapi(jobEventsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const first = jobs.snapshot(id, c.get("principal").tenantId);
    return streamSSE(c, async (stream) => {
      let latest = first;
      let wake: () => void = () => {};
      const unsubscribe = jobs.subscribe(id, (snapshot) => {
        latest = snapshot;
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
          if (terminal.has(latest.job.status) || stream.aborted || services.lifecycle.draining)
            break;
          // Progress can arrive per sample; a client needs a few updates a second at most.
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } finally {
        unsubscribe();
      }
    }) as never;
  });
}
