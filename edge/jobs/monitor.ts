/**
 * One Durable Object per running job: where its progress is announced, and its reconcile alarm.
 *
 * Progress: consumers call `progressed()` after each batch, the routes after each status change;
 * every event stream of the job (`GET /v1/jobs/{id}/events`, on any isolate) holds a `GET
 * /changes` stream open here and reads the job again from D1 on each newline.
 *
 * Reconcile: Queues deliver at least once, and a
 * message can still be lost (deleted by hand, expired, a bug); nothing would then ever write its
 * keys. The monitor wakes every `JOB_RECONCILE_SECONDS`: while the job is queued or running and
 * some keys are written since its last look, it only looks again later; when a whole period
 * passed with no key written, it puts every key neither written nor failed back on the queue.
 * A key generated twice is still written once (the job store), so a false alarm costs calls,
 * never data. The monitor ends itself once the job is done, halted or gone, and marks a job done
 * whose keys are all written (the last batch's consumer normally does).
 */
import { DurableObject } from "cloudflare:workers";
import { committedSampleKeys } from "../../shared/synth/store/job-store.ts";
import { finishJobIfComplete, getJob } from "../../shared/synth/store/jobs.ts";
import { type Bindings, settingsOf } from "../env.ts";
import { openStore } from "../store/db.ts";
import { postprocessMessage, writtenKeys } from "./postprocess.ts";
import { enqueueBatches, jobBatches } from "./runner.ts";

/** What a monitor keeps. */
interface Watched {
  jobId: string;
  /** Keys written at the last look. */
  written: number;
  /** The server span of the request that started the job, when traced (the batches' parent). */
  traceparent?: string;
}

const NEWLINE = new TextEncoder().encode("\n");

export class JobMonitor extends DurableObject<Bindings> {
  /** Open change streams of this job's watchers. */
  readonly #watchers = new Set<WritableStreamDefaultWriter<Uint8Array>>();

  /** `GET /changes`: a newline now, and one at each change until the caller goes away. */
  override async fetch(): Promise<Response> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#watchers.add(writer);
    void writer.write(NEWLINE).catch(() => this.#watchers.delete(writer));
    return new Response(readable, { headers: { "content-type": "text/plain" } });
  }

  /** Tells every watcher that the job changed. */
  async progressed(): Promise<void> {
    for (const writer of this.#watchers) {
      writer.write(NEWLINE).catch(() => this.#watchers.delete(writer));
    }
  }

  /**
   * Starts (or restarts, after a resume) watching `jobId`; the first look is one period away. A
   * restart may queue post-processing again at once: a pause stopped the last one from finishing.
   * `traceparent` (the starting request's server span) goes on the batches it re-enqueues.
   */
  async watch(jobId: string, traceparent?: string): Promise<void> {
    await this.ctx.storage.delete("postprocessQueuedAt");
    await this.ctx.storage.put<Watched>("watched", { jobId, written: -1, traceparent });
    await this.ctx.storage.setAlarm(Date.now() + settingsOf(this.env).jobReconcileMs);
  }

  /** One look (the alarm; tests call it to look now). Says what it did. */
  async reconcile(): Promise<"idle" | "progressing" | "re-enqueued" | "finished"> {
    const watched = await this.ctx.storage.get<Watched>("watched");
    if (!watched) return "idle";
    const settings = settingsOf(this.env);
    const db = await openStore(settings.database);
    const job = await getJob(db, watched.jobId);
    if (!job || (job.status !== "queued" && job.status !== "running")) {
      await this.ctx.storage.deleteAll();
      return "idle";
    }
    const written = await writtenKeys(db, job.id);
    if (written >= job.rowCount * job.samplesPerRow) {
      if ((job.steps as unknown[]).length === 0) {
        await finishJobIfComplete(db, job.id, new Date());
        await this.ctx.storage.deleteAll();
        return "finished";
      }
      // Post-processing queued or running: queued again only if it has been a whole period.
      await this.queuePostprocess(job.id);
      await this.ctx.storage.setAlarm(Date.now() + settings.jobReconcileMs);
      return "progressing";
    }
    let outcome: "progressing" | "re-enqueued" = "progressing";
    if (written <= watched.written && this.env.JOBS_QUEUE) {
      const committed = await committedSampleKeys(db, job.id);
      const missing = jobBatches(job, committed, settings.jobBatchSize, watched.traceparent);
      await enqueueBatches(this.env.JOBS_QUEUE, missing);
      console.warn(
        `job ${job.id}: no key written for ${settings.jobReconcileMs} ms; re-enqueued ${missing.length} batches`,
      );
      outcome = "re-enqueued";
    }
    await this.ctx.storage.put<Watched>("watched", { ...watched, written });
    await this.ctx.storage.setAlarm(Date.now() + settings.jobReconcileMs);
    return outcome;
  }

  /**
   * Queues the job's post-processing stage, once: again only after a whole reconcile period (a
   * lost message). The object's single thread makes "once" hold across concurrent consumers.
   */
  async queuePostprocess(jobId: string): Promise<void> {
    const settings = settingsOf(this.env);
    const queuedAt = await this.ctx.storage.get<number>("postprocessQueuedAt");
    if (queuedAt !== undefined && Date.now() - queuedAt < settings.jobReconcileMs) return;
    const job = await getJob(await openStore(settings.database), jobId);
    if (!job || !this.env.JOBS_QUEUE) return;
    await this.ctx.storage.put("postprocessQueuedAt", Date.now());
    await this.env.JOBS_QUEUE.send(postprocessMessage(job));
  }

  override async alarm(): Promise<void> {
    await this.reconcile();
  }
}
