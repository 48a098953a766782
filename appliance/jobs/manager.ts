/**
 * Runs synthetic-data jobs on the appliance's own models: one job at a time by default, each with
 * its own concurrency, its work queued behind interactive requests. Jobs interrupted by a crash
 * or a shutdown are resumed at the next start, generating only the samples not yet committed.
 */

import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import { ApiError } from "../../shared/api/errors.ts";
import { type JobRow, type TemplateRow, templates } from "../../shared/db/schema/index.ts";
import { type JobProgress, runJob } from "../../shared/synth/job-runner.ts";
import { type PostStep, postprocess } from "../../shared/synth/postprocess.ts";
import { createTemplateSampleGenerator, variablesOf } from "../../shared/synth/sample-generator.ts";
import type { Sampler } from "../../shared/synth/samplers.ts";
import { sqliteJobStore } from "../../shared/synth/store/job-store.ts";
import { getTemplateById } from "../../shared/synth/store/templates.ts";
import type { Engine } from "../inference/engine/index.ts";
import { compileResponseSchema } from "../inference/json-schema.ts";
import type { Db } from "../store/db.ts";
import {
  allSamples,
  createJob,
  getJob,
  jobsWithStatus,
  keptStats,
  loadJobRows,
  type NewJob,
  sampleStats,
  saveDecisions,
  setJobStatus,
} from "../store/queries/jobs.ts";
import { judgeSample } from "./judge.ts";

/** A job with its progress, as the API shows it. */
export interface JobSnapshot {
  job: JobRow;
  template: TemplateRow;
  progress: JobProgress & { kept: number | null; dropped: number | null };
}

/** Options of {@link JobManager}. */
export interface JobManagerOptions {
  db: Db;
  engine: Engine;
  logger: Logger;
  /** Jobs generating at once. */
  maxConcurrentJobs?: number;
}

type Listener = (snapshot: JobSnapshot) => void;

export class JobManager {
  readonly #running = new Map<
    string,
    { controller: AbortController; done: Promise<void>; live?: JobProgress }
  >();
  readonly #listeners = new Map<string, Set<Listener>>();
  #stopped = false;

  constructor(private readonly options: JobManagerOptions) {}

  /** Stores a job with its rows and starts it when a slot is free. */
  create(job: Omit<NewJob, "id"> & { id: string }, rows: Record<string, unknown>[]): JobRow {
    const created = createJob(this.options.db, job, rows);
    this.#schedule();
    return created;
  }

  /** The job and its progress, for a tenant (404 for another tenant's job). */
  snapshot(id: string, tenantId?: string): JobSnapshot {
    const job = getJob(this.options.db, id, tenantId);
    if (!job) throw new ApiError(404, `No job '${id}'.`, { param: "id", code: "job_not_found" });
    // Synchronous on the appliance's driver, so a snapshot stays a plain read.
    const template = this.options.db
      .select()
      .from(templates)
      .where(eq(templates.id, job.templateId))
      .get() as TemplateRow;
    const stats = sampleStats(this.options.db, id);
    const decided = keptStats(this.options.db, id);
    const postprocessed = job.status === "done" && (job.steps as unknown[]).length > 0;
    const live = this.#running.get(id)?.live;
    const total = job.rowCount * job.samplesPerRow;
    return {
      job,
      template,
      progress: {
        total,
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

  /** Cancels a queued or running job; its committed samples stay. */
  async cancel(id: string, tenantId: string): Promise<JobSnapshot> {
    return this.#halt(id, tenantId, "cancelled");
  }

  /** Pauses a queued or running job: work in flight stops, committed samples stay; resume goes on. */
  async pause(id: string, tenantId: string): Promise<JobSnapshot> {
    return this.#halt(id, tenantId, "paused");
  }

  async #halt(id: string, tenantId: string, status: "cancelled" | "paused"): Promise<JobSnapshot> {
    const { job } = this.snapshot(id, tenantId);
    if (
      job.status === "queued" ||
      job.status === "running" ||
      (status === "cancelled" && job.status === "paused")
    ) {
      setJobStatus(this.options.db, id, status, {
        finishedAt: status === "cancelled" ? new Date() : null,
      });
      const running = this.#running.get(id);
      running?.controller.abort();
      await running?.done;
      this.#emit(id);
    }
    return this.snapshot(id, tenantId);
  }

  /** Queues a paused, cancelled or failed job again; only its missing samples are generated. */
  resume(id: string, tenantId: string): JobSnapshot {
    const { job } = this.snapshot(id, tenantId);
    if (job.status === "paused" || job.status === "cancelled" || job.status === "failed") {
      setJobStatus(this.options.db, id, "queued", { error: null, finishedAt: null });
      this.#schedule();
    }
    return this.snapshot(id, tenantId);
  }

  /** Calls `listener` on every progress change of a job; returns the unsubscribe function. */
  subscribe(id: string, listener: Listener): () => void {
    const set = this.#listeners.get(id) ?? new Set<Listener>();
    this.#listeners.set(id, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** At start: jobs left running by a crash or shutdown go back to the queue. */
  resumeInterrupted(): number {
    const interrupted = jobsWithStatus(this.options.db, ["running"]);
    for (const job of interrupted) setJobStatus(this.options.db, job.id, "queued");
    this.#schedule();
    return interrupted.length;
  }

  /** Stops generating (shutdown): running jobs stay `running` and resume at the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const running = [...this.#running.values()];
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((job) => job.done));
  }

  #schedule(): void {
    if (this.#stopped) return;
    const slots = (this.options.maxConcurrentJobs ?? 1) - this.#running.size;
    if (slots <= 0) return;
    const queued = jobsWithStatus(this.options.db, ["queued"]).filter(
      (job) => !this.#running.has(job.id),
    );
    for (const job of queued.slice(0, slots)) {
      const controller = new AbortController();
      const entry: { controller: AbortController; done: Promise<void>; live?: JobProgress } = {
        controller,
        done: Promise.resolve(),
      };
      this.#running.set(job.id, entry);
      entry.done = this.#run(job, controller.signal, entry).finally(() => {
        this.#running.delete(job.id);
        this.#emit(job.id);
        this.#schedule();
      });
    }
  }

  async #run(job: JobRow, signal: AbortSignal, entry: { live?: JobProgress }): Promise<void> {
    const { db, engine, logger } = this.options;
    const template = (await getTemplateById(db, job.templateId)) as TemplateRow;
    setJobStatus(db, job.id, "running", { startedAt: job.startedAt ?? new Date() });
    this.#emit(job.id);
    const rows = loadJobRows(db, job.id);
    const validate = template.outputSchema
      ? compileResponseSchema(template.outputSchema, "output_schema")
      : undefined;
    const sampling = {
      rows: (row: number) => rows[row] ?? {},
      samplers: job.samplers as Record<string, Sampler>,
      seed: job.seed,
    };
    const generate = createTemplateSampleGenerator({
      ...sampling,
      template,
      model: job.model,
      params: job.params,
      validateOutput: validate
        ? (value) => (validate(value) ? null : JSON.stringify(validate.errors))
        : undefined,
      complete: async (request, requestSignal) => {
        const result = await engine.chat(request, { signal: requestSignal, priority: "batch" });
        const choice = result.choices[0];
        return {
          text: choice?.text ?? "",
          finishReason: choice?.finishReason ?? "stop",
          promptTokens: result.usage.prompt_tokens,
          completionTokens: result.usage.completion_tokens,
        };
      },
    });
    logger.info({ job: job.id, total: job.rowCount * job.samplesPerRow }, "job started");
    try {
      const result = await runJob(
        { rows: job.rowCount, samplesPerRow: job.samplesPerRow, concurrency: job.concurrency },
        sqliteJobStore(db, job.id),
        generate,
        {
          signal,
          variablesFor: (task) => {
            try {
              return variablesOf(sampling, task);
            } catch {
              return {};
            }
          },
          onProgress: (progress) => {
            entry.live = progress;
            this.#emit(job.id);
          },
        },
      );
      if (result.state === "done") {
        await this.#postprocess(job, template, signal);
        if (signal.aborted) return;
        setJobStatus(db, job.id, "done", { finishedAt: new Date() });
        logger.info({ job: job.id, ...result.progress }, "job done");
      }
    } catch (err) {
      logger.error({ err, job: job.id }, "job failed");
      setJobStatus(db, job.id, "failed", { error: (err as Error).message, finishedAt: new Date() });
    }
  }

  /** Runs the job's steps over all its generated samples and stores each decision. */
  async #postprocess(job: JobRow, template: TemplateRow, signal: AbortSignal): Promise<void> {
    const steps = job.steps as PostStep[];
    if (steps.length === 0) return;
    const { db, engine } = this.options;
    const rows = allSamples(db, job.id).filter((s) => s.status === "ok");
    const validate = template.outputSchema
      ? compileResponseSchema(template.outputSchema, "output_schema")
      : undefined;
    const decisions = await postprocess(
      rows.map((s) => ({
        key: `${s.rowIndex}:${s.sampleIndex}`,
        output: s.output ?? "",
        variables: s.variables,
      })),
      steps,
      {
        signal,
        validateJson: validate
          ? (value) => (validate(value) ? null : JSON.stringify(validate.errors))
          : undefined,
        judge: (candidate, step, index) =>
          judgeSample(engine, db, job, candidate, step, index, signal),
      },
    );
    if (signal.aborted) return;
    saveDecisions(
      db,
      rows.map((s, i) => {
        const { kept, ...decision } = decisions[i] as (typeof decisions)[number];
        return { id: s.id, kept, decision };
      }),
    );
  }

  #emit(id: string): void {
    const listeners = this.#listeners.get(id);
    if (!listeners?.size) return;
    const snapshot = this.snapshot(id);
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch (err) {
        this.options.logger.warn({ err, job: id }, "job progress listener failed");
      }
    }
  }
}
