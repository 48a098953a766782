import { Presets, SingleBar } from "cli-progress";
import type { Job } from "../shared/api/schemas/synth.ts";
import type { TextNlpClient } from "../shared/sdk/index.ts";

/**
 * Follows a job until it ends: a progress bar on a terminal, a line per second on stderr
 * otherwise (or JSON lines on stdout with `--json`). Returns the final state.
 */
export async function followJob(
  client: TextNlpClient,
  jobId: string,
  options: { json: boolean; signal?: AbortSignal },
): Promise<Job> {
  const tty = process.stderr.isTTY === true && !options.json;
  const bar = tty
    ? new SingleBar(
        {
          format:
            " {bar} {percentage}% | {value}/{total} samples | {rate}/s | eta {eta_s} | failed {failed}",
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : undefined;
  let last: Job | undefined;
  let lastLine = 0;
  for await (const job of client.jobs.watch(jobId, options.signal)) {
    const fields = {
      rate: job.progress.rate.toFixed(1),
      eta_s: job.progress.eta_seconds === null ? "?" : `${Math.round(job.progress.eta_seconds)}s`,
      failed: job.progress.failed,
    };
    if (bar) {
      if (!last) bar.start(job.total, job.progress.done, fields);
      else bar.update(job.progress.done, fields);
    } else if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ event: "progress", id: job.id, status: job.status, ...job.progress, total: job.total })}\n`,
      );
    } else if (Date.now() - lastLine >= 1000 || job.status !== "running") {
      lastLine = Date.now();
      const percent = job.total ? Math.floor((100 * job.progress.done) / job.total) : 100;
      process.stderr.write(
        `${job.id}: ${job.status} ${job.progress.done}/${job.total} (${percent}%) ${fields.rate} samples/s eta ${fields.eta_s} failed ${fields.failed}\n`,
      );
    }
    last = job;
  }
  bar?.stop();
  if (!last) throw new Error(`no progress received for ${jobId}`);
  return last;
}
