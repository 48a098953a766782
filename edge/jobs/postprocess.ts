/**
 * A job's last queue stage on the edge: once each of its keys is written, its post-processing
 * steps (dedup, filters, LLM-as-judge through the edge's own chat route) run over its samples in
 * one message, and the job is done. The stage is queued once, by the job's monitor; a message
 * that fails is retried, and a rerun rewrites the same decisions (judges are seeded per sample).
 */
import { count, eq } from "drizzle-orm";
import type { AnySqliteDb } from "../../shared/db/audit.ts";
import { type JobRow, samples } from "../../shared/db/schema/index.ts";
import { postprocessJob } from "../../shared/synth/judge.ts";
import type { CompleteChat } from "../../shared/synth/sample-generator.ts";
import { finishJobIfComplete, getJob, setJobStatus } from "../../shared/synth/store/jobs.ts";
import { getTemplateById } from "../../shared/synth/store/templates.ts";
import type { Bindings } from "../env.ts";
import { outputValidator } from "../lib/json-schema.ts";
import type { JobBatchMessage } from "./consumer.ts";

/** The message of a job's post-processing stage. */
export const postprocessMessage = (job: JobRow): JobBatchMessage => ({
  jobId: job.id,
  tenantId: job.tenantId,
  tasks: [],
  stage: "postprocess",
});

/** Keys of a job written so far (ok or failed). */
export async function writtenKeys(db: AnySqliteDb, jobId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(samples).where(eq(samples.jobId, jobId));
  return row?.n ?? 0;
}

/**
 * After a batch (or a resume, or the monitor's look): a job whose keys are all written is done,
 * or, with steps, has its post-processing stage queued (once: the monitor decides).
 */
export async function completeJob(
  env: Pick<Bindings, "JOBS_QUEUE" | "JOB_MONITOR">,
  db: AnySqliteDb,
  job: JobRow,
  now: Date,
): Promise<void> {
  if ((job.steps as unknown[]).length === 0) {
    await finishJobIfComplete(db, job.id, now);
    return;
  }
  if ((await writtenKeys(db, job.id)) < job.rowCount * job.samplesPerRow) return;
  if (env.JOB_MONITOR) {
    await env.JOB_MONITOR.get(env.JOB_MONITOR.idFromName(job.id)).queuePostprocess(job.id);
  } else {
    await env.JOBS_QUEUE?.send(postprocessMessage(job));
  }
}

/** Runs a job's post-processing stage, then marks it done. */
export async function runPostprocessStage(
  db: AnySqliteDb,
  complete: CompleteChat,
  message: JobBatchMessage,
): Promise<void> {
  const job = await getJob(db, message.jobId, message.tenantId);
  if (!job || (job.status !== "running" && job.status !== "queued")) return;
  const template = await getTemplateById(db, job.templateId);
  const signal = new AbortController().signal;
  await postprocessJob(db, job, {
    validateJson: template?.outputSchema ? outputValidator(template.outputSchema) : undefined,
    askJson: async (request, schema) => {
      const answer = await complete(
        {
          ...request,
          response_format: { type: "json_schema", json_schema: { name: "verdict", schema } },
        } as Parameters<CompleteChat>[0],
        signal,
      );
      try {
        return JSON.parse(answer.text);
      } catch {
        return null;
      }
    },
  });
  await setJobStatus(db, job.id, "done", { finishedAt: new Date() }, ["running", "queued"]);
}
