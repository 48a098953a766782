/**
 * The queue consumer that runs synthetic-data jobs on the edge: each message is a batch of one
 * job's sample keys. Every sample is generated through the edge's own `/v1/chat/completions`,
 * called in-process as the job's tenant, so aliases, fallbacks, the tenant's rate limits and
 * budget, caching and metering all apply as to an interactive call; results go to the shared
 * job store (one statement per key, a key written before left alone), so a redelivered batch
 * writes nothing twice. A batch that fails as a whole is retried with backoff; a sample that
 * keeps failing is recorded as failed by the job engine.
 */
import { and, between, eq } from "drizzle-orm";
import { ApiError, type ApiErrorStatus, type ApiErrorType } from "../../shared/api/errors.ts";
import { type JobRow, jobRows, jobs } from "../../shared/db/schema/index.ts";
import { openPrincipal, type Principal } from "../../shared/identity/principal.ts";
import { runJob, type SampleTask } from "../../shared/synth/job-runner.ts";
import {
  type CompleteChat,
  createTemplateSampleGenerator,
  variablesOf,
} from "../../shared/synth/sample-generator.ts";
import type { Sampler } from "../../shared/synth/samplers.ts";
import { sqliteJobStore } from "../../shared/synth/store/job-store.ts";
import { getJob, jobTargets, setJobStatus } from "../../shared/synth/store/jobs.ts";
import { getTemplateById } from "../../shared/synth/store/templates.ts";
import { type Bindings, settingsOf } from "../env.ts";
import { outputValidator } from "../lib/json-schema.ts";
import { internalEnv } from "../middleware/auth/index.ts";
import { openStore } from "../store/db.ts";
import type { EdgeDb } from "../store/types.ts";
import { JobTrace } from "../tracing/job-trace.ts";
import { completeJob, runPostprocessStage } from "./postprocess.ts";

/** One queue message: a batch of a job's sample keys. */
export interface JobBatchMessage {
  jobId: string;
  tenantId: string;
  /** `[row, sample]` pairs. */
  tasks: [number, number][];
  /** `postprocess`: the job's last stage (./postprocess.ts), once every key is written. */
  stage?: "postprocess";
  /**
   * The server span of the request that created or resumed the job, when it was traced: the
   * parent of the batch's span (edge/tracing/job-trace.ts).
   */
  traceparent?: string;
}

/** The app the consumer calls into (the edge's own). */
export interface EdgeFetcher {
  fetch(request: Request, env: Bindings, ctx: ExecutionContext): Response | Promise<Response>;
}

/** Statuses a job's batches are not run in. */
const halted = new Set(["cancelled", "paused", "failed"]);
const INTERNAL_ORIGIN = "https://edge.internal";

/**
 * Who a job's calls act as: its tenant, and the API key that created it (null for a person's
 * token), so the key's own limits and budget hold for them and usage shows them under that key.
 */
function jobPrincipal(job: Pick<JobRow, "tenantId" | "keyId">): Principal {
  return { ...openPrincipal(job.tenantId, ["inference"]), keyId: job.keyId };
}

/**
 * Chat through the edge itself, as `env`'s principal; a refusal throws an ApiError. With a
 * `traceparent` (the batch's span), each call's trace is a child of it.
 */
function completeThrough(
  app: EdgeFetcher,
  env: Bindings,
  ctx: ExecutionContext,
  traceparent?: string,
): CompleteChat {
  return async (request, signal) => {
    const res = await app.fetch(
      new Request(`${INTERNAL_ORIGIN}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(traceparent && { traceparent }) },
        body: JSON.stringify({ ...request, stream: false }),
        signal,
      }),
      env,
      ctx,
    );
    const body = (await res.json()) as {
      model?: string;
      error?: { message?: string; code?: string | null; type?: string };
      choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    if (!res.ok) {
      const retryAfter = Number(res.headers.get("retry-after"));
      throw new ApiError(
        res.status as ApiErrorStatus,
        body.error?.message ?? `HTTP ${res.status}`,
        {
          code: body.error?.code ?? null,
          // A spent budget (insufficient_quota) fails the sample at once instead of waiting a month.
          type: body.error?.type as ApiErrorType | undefined,
          retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
        },
      );
    }
    const choice = body.choices?.[0];
    return {
      text: choice?.message?.content ?? "",
      finishReason: choice?.finish_reason ?? "stop",
      promptTokens: body.usage?.prompt_tokens ?? 0,
      completionTokens: body.usage?.completion_tokens ?? 0,
      // The target that answered (a provider's model, or an appliance's); no file to name.
      ...(body.model ? { provenance: { name: body.model, version: null, sha256: null } } : {}),
    };
  };
}

/** How long a batch's slots are leased, and how often a working batch renews them. */
const SLOT_LEASE_MS = 120_000;
const SLOT_RENEW_MS = 40_000;
/** How long a batch that found no free slot waits on the queue before it asks again. */
const DEFERRED_DELAY_SECONDS = 5;

/** A batch's share of its tenant's job slots (./slots.ts). */
interface SlotGrant {
  count: number;
  /** Gives one slot back (a worker ran out of keys). */
  releaseOne(): void;
  /** Gives back what is left, and stops renewing. */
  end(): Promise<void>;
}

/**
 * Up to `want` of the tenant's job slots, waiting up to `JOB_SLOT_WAIT_SECONDS`; `count` 0 when
 * none came free. Without `JOB_SLOTS`, all of `want`.
 */
async function claimSlots(
  env: Bindings,
  ctx: ExecutionContext,
  tenantId: string,
  want: number,
): Promise<SlotGrant> {
  const namespace = env.JOB_SLOTS;
  if (!namespace) return { count: want, releaseOne() {}, async end() {} };
  const { jobTenantConcurrency, jobSlotWaitMs } = settingsOf(env);
  const slots = namespace.get(namespace.idFromName(tenantId));
  const lease = crypto.randomUUID();
  const count = await slots.acquire(
    lease,
    want,
    jobTenantConcurrency,
    SLOT_LEASE_MS,
    jobSlotWaitMs,
  );
  const renewing = setInterval(() => {
    ctx.waitUntil(slots.renew(lease, SLOT_LEASE_MS).catch(() => {}));
  }, SLOT_RENEW_MS);
  return {
    count,
    releaseOne() {
      ctx.waitUntil(slots.release(lease, 1).catch(() => {}));
    },
    async end() {
      clearInterval(renewing);
      // A lost release costs the tenant these slots until the lease runs out, never more.
      await slots.release(lease).catch(() => {});
    },
  };
}

/**
 * Runs one batch; resolves when each of its keys is written (ok or failed) or the job halted,
 * or `deferred` when the tenant's job slots stayed taken (nothing was generated). Traced (an OTLP
 * endpoint set), the batch is a span in the trace of the request that started the job, exported
 * in the background once the batch ends.
 */
export async function runJobBatch(
  app: EdgeFetcher,
  db: EdgeDb,
  env: Bindings,
  ctx: ExecutionContext,
  message: JobBatchMessage,
): Promise<"done" | "deferred"> {
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, message.jobId), eq(jobs.tenantId, message.tenantId)));
  // A job deleted, cancelled or paused since: nothing to do (resume enqueues what is left).
  if (!job || halted.has(job.status)) return "done";
  const otlp = settingsOf(env).otlp;
  const span = otlp
    ? new JobTrace(otlp, "job batch", message.traceparent, {
        "textnlp.job.id": job.id,
        "textnlp.job.keys": message.tasks.length,
        "gen_ai.request.model": job.model,
      })
    : undefined;
  let outcome: "done" | "deferred" | undefined;
  let failure: unknown;
  try {
    outcome = await generateBatch(app, db, env, ctx, job, message.tasks, span?.traceparent);
    return outcome;
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    if (span) {
      const ended = span.end({ "textnlp.job.outcome": outcome ?? "failed" }, failure);
      ctx.waitUntil(ended.catch((err) => console.error("job batch trace export failed:", err)));
    }
  }
}

/** Generates `keys` of `job` (see {@link runJobBatch}), each call carrying `traceparent`. */
async function generateBatch(
  app: EdgeFetcher,
  db: EdgeDb,
  env: Bindings,
  ctx: ExecutionContext,
  job: JobRow,
  keys: [number, number][],
  traceparent: string | undefined,
): Promise<"done" | "deferred"> {
  const template = await getTemplateById(db, job.templateId);
  if (!template) throw new Error(`job ${job.id}: its template ${job.templateId} is gone`);
  const tasks: SampleTask[] = keys.map(([row, sample]) => ({ row, sample }));
  // A range of rows, not a list: D1 binds at most 100 values a statement.
  const rowIndexes = tasks.map((t) => t.row);
  const stored = await db
    .select({ row: jobRows.rowIndex, variables: jobRows.variables })
    .from(jobRows)
    .where(
      and(
        eq(jobRows.jobId, job.id),
        between(jobRows.rowIndex, Math.min(...rowIndexes), Math.max(...rowIndexes)),
      ),
    );
  const rows = new Map(stored.map((r) => [r.row, r.variables]));
  const sampling = {
    rows: (row: number) => rows.get(row) ?? {},
    samplers: job.samplers as Record<string, Sampler>,
    seed: job.seed,
    // A comparison's models take turns over each row's sample keys.
    models: jobTargets(job),
  };
  const asTenant = internalEnv(env, jobPrincipal(job));
  const generate = createTemplateSampleGenerator({
    ...sampling,
    template,
    model: job.model,
    params: job.params,
    validateOutput: template.outputSchema ? outputValidator(template.outputSchema) : undefined,
    complete: completeThrough(app, asTenant, ctx, traceparent),
  });
  // The job's own concurrency, within what the tenant's other batches leave free.
  const slots = await claimSlots(
    env,
    ctx,
    job.tenantId,
    Math.max(1, Math.min(job.concurrency, tasks.length)),
  );
  if (slots.count === 0) return "deferred";
  try {
    if (job.status === "queued") {
      await setJobStatus(db, job.id, "running", { startedAt: new Date() }, ["queued"]);
    }
    await runJob(
      { rows: job.rowCount, samplesPerRow: job.samplesPerRow, concurrency: slots.count, tasks },
      sqliteJobStore(db, job.id, tasks),
      generate,
      {
        variablesFor: (task) => {
          try {
            return variablesOf(sampling, task);
          } catch {
            return {};
          }
        },
        onWorkerDone: () => slots.releaseOne(),
        // D1 is a network hop away: a sample is written while the worker's next one generates.
        overlapWrites: true,
      },
    );
  } finally {
    await slots.end();
  }
  await completeJob(env, db, job, new Date());
  return "done";
}

/** The Worker's `queue` handler for the jobs queue. */
export function createJobConsumer(app: EdgeFetcher) {
  return async function queue(
    batch: MessageBatch<JobBatchMessage>,
    env: Bindings,
    ctx: ExecutionContext,
  ): Promise<void> {
    const db = await openStore(settingsOf(env).database);
    for (const message of batch.messages) {
      try {
        if (message.body.stage === "postprocess") {
          const job = await getJob(db, message.body.jobId, message.body.tenantId);
          const asTenant = internalEnv(
            env,
            job ? jobPrincipal(job) : openPrincipal(message.body.tenantId, ["inference"]),
          );
          await runPostprocessStage(db, completeThrough(app, asTenant, ctx), message.body);
        } else if ((await runJobBatch(app, db, env, ctx, message.body)) === "deferred") {
          // Sent again rather than retried: waiting for a slot is not a failure, and must not
          // use up the message's retries (and end in the dead-letter queue).
          if (env.JOBS_QUEUE) {
            await env.JOBS_QUEUE.send(message.body, { delaySeconds: DEFERRED_DELAY_SECONDS });
          } else {
            message.retry({ delaySeconds: DEFERRED_DELAY_SECONDS });
            continue;
          }
        }
        message.ack();
        // The job's event streams read it again (off the batch's path).
        const monitors = env.JOB_MONITOR;
        if (monitors) {
          ctx.waitUntil(
            monitors
              .get(monitors.idFromName(message.body.jobId))
              .progressed()
              .catch(() => {}),
          );
        }
      } catch (err) {
        console.warn(
          `job batch of ${message.body.jobId} failed (attempt ${message.attempts}):`,
          err instanceof Error ? err.message : err,
        );
        message.retry({ delaySeconds: Math.min(300, 2 ** message.attempts) });
      }
    }
  };
}
