/**
 * The edge's {@link JobRunner}: a job's sample keys not yet written go on the jobs queue in
 * batches (`JOB_BATCH_SIZE` keys a message); the queue consumer (./consumer.ts) generates them.
 * Halting needs nothing here: the consumer reads the job's status before each batch.
 */
import { ApiError } from "../../shared/api/errors.ts";
import type { AnySqliteDb } from "../../shared/db/audit.ts";
import type { JobRow } from "../../shared/db/schema/index.ts";
import { sampleKey } from "../../shared/synth/job-runner.ts";
import type { JobRunner } from "../../shared/synth/routes/jobs.ts";
import { committedSampleKeys } from "../../shared/synth/store/job-store.ts";

import type { Bindings } from "../env.ts";
import type { JobBatchMessage } from "./consumer.ts";
import type { JobMonitor } from "./monitor.ts";
import { completeJob } from "./postprocess.ts";

/** Messages per `sendBatch` call (Cloudflare Queues takes at most 100). */
const SEND_AT_ONCE = 100;

/**
 * The queue messages for a job's keys not in `written`, `size` keys each, in key order; each
 * carries `traceparent` (the starting request's server span) when given.
 */
export function jobBatches(
  job: JobRow,
  written: Set<string>,
  size: number,
  traceparent?: string,
): JobBatchMessage[] {
  const messages: JobBatchMessage[] = [];
  const message = (tasks: [number, number][]): JobBatchMessage => ({
    jobId: job.id,
    tenantId: job.tenantId,
    tasks,
    ...(traceparent && { traceparent }),
  });
  let tasks: [number, number][] = [];
  for (let row = 0; row < job.rowCount; row++) {
    for (let sample = 0; sample < job.samplesPerRow; sample++) {
      if (written.has(sampleKey({ row, sample }))) continue;
      tasks.push([row, sample]);
      if (tasks.length === size) {
        messages.push(message(tasks));
        tasks = [];
      }
    }
  }
  if (tasks.length > 0) messages.push(message(tasks));
  return messages;
}

/** Puts `messages` on `queue`, at most {@link SEND_AT_ONCE} a call. */
export async function enqueueBatches(
  queue: Queue<JobBatchMessage>,
  messages: JobBatchMessage[],
): Promise<void> {
  for (let at = 0; at < messages.length; at += SEND_AT_ONCE) {
    await queue.sendBatch(messages.slice(at, at + SEND_AT_ONCE).map((body) => ({ body })));
  }
}

/**
 * The runner for one request's environment; `traceparent` names the request's server span when
 * it is traced: the batches of the jobs it starts (creates or resumes) join its trace.
 */
export function queueJobRunner(
  env: Pick<Bindings, "JOBS_QUEUE" | "JOB_MONITOR">,
  db: () => Promise<AnySqliteDb>,
  batchSize: number,
  now: () => number,
  traceparent?: string,
): JobRunner {
  return {
    ready() {
      if (!env.JOBS_QUEUE) throw jobsUnavailable();
    },
    async start(job) {
      if (!env.JOBS_QUEUE) throw jobsUnavailable();
      const store = await db();
      const written = await committedSampleKeys(store, job.id);
      const batches = jobBatches(job, written, batchSize, traceparent);
      // Watched from now on, even with nothing left to generate: its post-processing may be.
      // A re-enqueue of lost batches joins the same trace.
      const monitor = monitorOf(job.id);
      await monitor?.watch(job.id, traceparent);
      if (batches.length === 0) {
        // Every key written before a pause took effect: done, or post-processed, now.
        await completeJob(env, store, job, new Date(now()));
      } else {
        await enqueueBatches(env.JOBS_QUEUE, batches);
      }
      await monitor?.progressed();
    },
    // The consumer reads the status before each batch: watchers only need to hear of it.
    async halt(id) {
      await monitorOf(id)?.progressed();
    },
    ...(env.JOB_MONITOR && {
      subscribe(id: string, listener: () => void) {
        const controller = new AbortController();
        void followChanges(
          monitorOf(id) as DurableObjectStub<JobMonitor>,
          listener,
          controller.signal,
        );
        return () => controller.abort();
      },
    }),
  };

  function monitorOf(id: string) {
    return env.JOB_MONITOR?.get(env.JOB_MONITOR.idFromName(id));
  }
}

/** Calls `listener` at each change the monitor announces, reconnecting until `signal` aborts. */
async function followChanges(
  monitor: DurableObjectStub<JobMonitor>,
  listener: () => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await monitor.fetch("https://job-monitor/changes", { signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
        listener();
      }
    } catch {
      // Aborted, or the object restarted: look again below.
    }
    if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function jobsUnavailable(): ApiError {
  return new ApiError(503, "Jobs need the JOBS_QUEUE binding (wrangler.toml), and it is absent.", {
    code: "jobs_unavailable",
  });
}
