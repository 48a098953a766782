/**
 * Runs synthetic-data jobs on the appliance's own models: one job at a time by default, each with
 * its own concurrency, its work queued behind interactive requests. Jobs interrupted by a crash
 * or a shutdown are resumed at the next start, generating only the samples not yet committed.
 */

import { type Span, SpanKind } from "@opentelemetry/api";
import type { Logger } from "pino";
import { toApiError } from "../../shared/api/app.ts";
import type { JobRow, TemplateRow } from "../../shared/db/schema/index.ts";
import { type JobProgress, runJob } from "../../shared/synth/job-runner.ts";
import { postprocessJob } from "../../shared/synth/judge.ts";
import { findJob, type JobRunner } from "../../shared/synth/routes/jobs.ts";
import { createTemplateSampleGenerator, variablesOf } from "../../shared/synth/sample-generator.ts";
import type { Sampler } from "../../shared/synth/samplers.ts";
import { sqliteJobStore } from "../../shared/synth/store/job-store.ts";
import {
  type JobSnapshot,
  jobModels,
  jobTargets,
  type LiveProgress,
  setJobStatus,
} from "../../shared/synth/store/jobs.ts";
import { getTemplateById } from "../../shared/synth/store/templates.ts";
import { remoteParent, traceparentOf } from "../../shared/tracing/otel.ts";
import { chatForJson } from "../inference/chat-json.ts";
import type { Engine, GenerationResult } from "../inference/engine/index.ts";
import { compileResponseSchema } from "../inference/json-schema.ts";
import type { UsageMeter } from "../metrics/usage-meter.ts";
import type { Db } from "../store/db.ts";
import { jobsWithStatus, loadJobRows } from "../store/queries/jobs.ts";
import { SpanScope, tracedGeneration } from "../tracing/spans.ts";
import { type ApplianceTracer, type OpenSpan, spanFailed } from "../tracing/tracer.ts";

/** Options of {@link JobManager}. */
export interface JobManagerOptions {
  db: Db;
  engine: Engine;
  logger: Logger;
  /** Jobs generating at once. */
  maxConcurrentJobs?: number;
  /** Meters each model call of a job; absent in tests that run jobs without metering. */
  usage?: UsageMeter;
  /** Traces each run of a job and its model calls; absent unless an OTLP endpoint is set. */
  tracer?: ApplianceTracer;
}

type Listener = () => void;

/** The appliance's {@link JobRunner}: jobs generate in this process, on its own models. */
export class JobManager implements JobRunner {
  readonly #running = new Map<
    string,
    { controller: AbortController; done: Promise<void>; live?: JobProgress }
  >();
  readonly #listeners = new Map<string, Set<Listener>>();
  /** The trace context of the request that last started or resumed a job (in memory only). */
  readonly #traceparents = new Map<string, string>();
  #stopped = false;

  constructor(private readonly options: JobManagerOptions) {}

  /** A job and its progress, for a tenant (404 for another tenant's job). */
  snapshot(id: string, tenantId?: string): Promise<JobSnapshot> {
    return findJob(this.options.db, id, tenantId, this.live(id));
  }

  live(id: string): LiveProgress | undefined {
    return this.#running.get(id)?.live;
  }

  /** A stored or resumed job is queued: it starts when a slot is free. */
  async start(): Promise<void> {
    this.#schedule();
  }

  /**
   * This runner as a request that starts or resumes jobs sees it: when the request is traced
   * (`span`), the job's next run is a span in its trace. Runs after a restart begin traces of
   * their own (the context is not stored).
   */
  startedBy(span: Span | undefined): JobRunner {
    if (!span) return this;
    const traceparent = traceparentOf(span);
    return {
      start: (job) => {
        this.#traceparents.set(job.id, traceparent);
        return this.start();
      },
      halt: (id) => this.halt(id),
      live: (id) => this.live(id),
      subscribe: (id, listener) => this.subscribe(id, listener),
    };
  }

  /** Stops generating a job (cancelled, paused or deleted); committed samples stay. */
  async halt(id: string): Promise<void> {
    const running = this.#running.get(id);
    running?.controller.abort();
    await running?.done;
    this.#emit(id);
  }

  /** Calls `listener` on every progress change of a job; returns the unsubscribe function. */
  subscribe(id: string, listener: Listener): () => void {
    const set = this.#listeners.get(id) ?? new Set<Listener>();
    this.#listeners.set(id, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** At start: jobs left running by a crash or shutdown go back to the queue. */
  async resumeInterrupted(): Promise<number> {
    const interrupted = jobsWithStatus(this.options.db, ["running"]);
    for (const job of interrupted) await setJobStatus(this.options.db, job.id, "queued");
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

  /**
   * The engine as a job's calls reach it, each model call metered like an interactive chat call
   * by the job's creator (tenant and key): one row per call, not one per job, so samples, their
   * retries and judge calls show up in usage as they are made, by the key that asked for them,
   * the way the edge meters a job's samples (each goes through its own chat route). A call
   * stopped by a pause, cancel or shutdown is not metered: its sample is generated again later.
   */
  #meteredEngine(job: JobRow, run?: OpenSpan): Pick<Engine, "chat"> {
    const engine = this.#tracedEngine(run);
    const { usage } = this.options;
    if (!usage) return engine;
    // Metered under the name the job asked for, not the version it was pinned to (`llama@3`):
    // that one is the row's target version.
    const asked = new Map(jobModels(job).map((m) => [m.target, m.name]));
    return {
      chat: async (request, options) => {
        const startedAt = Date.now();
        const started = performance.now();
        const row = (status: number, result?: GenerationResult) => ({
          tenantId: job.tenantId,
          keyId: job.keyId,
          route: "chat",
          model: asked.get(request.model) ?? request.model,
          target: result?.model ?? null,
          targetVersion: result?.provenance.version ?? null,
          targetSha256: result?.provenance.sha256 ?? null,
          promptTokens: result?.usage.prompt_tokens ?? 0,
          completionTokens: result?.usage.completion_tokens ?? 0,
          latencyMs: Math.max(0, Math.round(performance.now() - started)),
          status,
          createdAt: new Date(startedAt),
        });
        try {
          const result = await engine.chat(request, options);
          usage.record(row(200, result));
          return result;
        } catch (err) {
          if (!options.signal.aborted) usage.record(row(toApiError(err).status));
          throw err;
        }
      },
    };
  }

  /**
   * The engine as a traced job run reaches it: each model call a span (`model call`) under the
   * run's, with its generation's phases as children (appliance/tracing/spans.ts).
   */
  #tracedEngine(run: OpenSpan | undefined): Pick<Engine, "chat"> {
    const { engine, tracer } = this.options;
    if (!run || !tracer) return engine;
    return {
      chat: async (request, options) => {
        const call = tracer.start("model call", run.context, {
          "gen_ai.request.model": request.model,
        });
        try {
          const generate = tracedGeneration(new SpanScope(tracer, call), (o) =>
            engine.chat(request, o),
          );
          const result = await generate(options);
          call.span.setAttributes({
            "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
            "gen_ai.usage.output_tokens": result.usage.completion_tokens,
          });
          return result;
        } catch (err) {
          spanFailed(
            call.span,
            options.signal.aborted ? "cancelled" : (toApiError(err).code ?? "error"),
          );
          throw err;
        } finally {
          call.span.end();
        }
      },
    };
  }

  /**
   * A run of a job (from its start or resumption to its end or interruption) as a span, under
   * the trace context the job was created in when it has one; undefined without tracing.
   */
  #runSpan(job: JobRow): OpenSpan | undefined {
    const { tracer } = this.options;
    const traceparent = this.#traceparents.get(job.id);
    this.#traceparents.delete(job.id);
    return tracer?.start(
      "job run",
      remoteParent(traceparent),
      { "textnlp.job.id": job.id, "gen_ai.request.model": job.model },
      SpanKind.INTERNAL,
    );
  }

  async #run(job: JobRow, signal: AbortSignal, entry: { live?: JobProgress }): Promise<void> {
    const run = this.#runSpan(job);
    try {
      await this.#runTraced(job, signal, entry, run);
    } finally {
      if (run) {
        if (entry.live) {
          run.span.setAttributes({
            "textnlp.job.done": entry.live.done,
            "textnlp.job.failed": entry.live.failed,
          });
        }
        if (signal.aborted) run.span.setAttribute("textnlp.job.interrupted", true);
        run.span.end();
      }
    }
  }

  async #runTraced(
    job: JobRow,
    signal: AbortSignal,
    entry: { live?: JobProgress },
    run: OpenSpan | undefined,
  ): Promise<void> {
    const { db, logger } = this.options;
    const engine = this.#meteredEngine(job, run);
    const template = (await getTemplateById(db, job.templateId)) as TemplateRow;
    // Cancelled or paused since it was picked: nothing to run.
    const started = await setJobStatus(
      db,
      job.id,
      "running",
      { startedAt: job.startedAt ?? new Date() },
      ["queued"],
    );
    if (!started) return;
    this.#emit(job.id);
    const rows = loadJobRows(db, job.id);
    const validate = template.outputSchema
      ? compileResponseSchema(template.outputSchema, "output_schema")
      : undefined;
    const sampling = {
      rows: (row: number) => rows[row] ?? {},
      samplers: job.samplers as Record<string, Sampler>,
      seed: job.seed,
      // The versions pinned at creation (or a comparison's models), not what names mean now.
      models: jobTargets(job),
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
          provenance: result.provenance,
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
        await this.#postprocess(job, template, signal, run);
        if (signal.aborted) return;
        await setJobStatus(db, job.id, "done", { finishedAt: new Date() }, ["running"]);
        logger.info({ job: job.id, ...result.progress }, "job done");
      }
    } catch (err) {
      logger.error({ err, job: job.id }, "job failed");
      if (run) spanFailed(run.span, toApiError(err).code ?? "job_failed");
      await setJobStatus(
        db,
        job.id,
        "failed",
        { error: (err as Error).message, finishedAt: new Date() },
        ["running"],
      );
    }
  }

  /** Runs the job's steps over all its generated samples and stores each decision. */
  async #postprocess(
    job: JobRow,
    template: TemplateRow,
    signal: AbortSignal,
    run: OpenSpan | undefined,
  ): Promise<void> {
    const { db } = this.options;
    const engine = this.#meteredEngine(job, run);
    const validate = template.outputSchema
      ? compileResponseSchema(template.outputSchema, "output_schema")
      : undefined;
    await postprocessJob(db, job, {
      signal,
      validateJson: validate
        ? (value) => (validate(value) ? null : JSON.stringify(validate.errors))
        : undefined,
      askJson: (request, schema) =>
        chatForJson(engine, request, schema, { signal, priority: "batch" }),
    });
  }

  #emit(id: string): void {
    for (const listener of this.#listeners.get(id) ?? []) {
      try {
        listener();
      } catch (err) {
        this.options.logger.warn({ err, job: id }, "job progress listener failed");
      }
    }
  }
}
