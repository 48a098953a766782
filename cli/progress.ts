import { Presets, SingleBar } from "cli-progress";
import type { Job } from "../shared/api/schemas/synth.ts";
import type { TextNlpClient } from "../shared/sdk/index.ts";

/** What a progress display shows. */
export interface ProgressState {
  id: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  rate: number;
  etaSeconds: number | null;
}

/**
 * Shows progress: a bar on a terminal, a line per second on stderr otherwise, or JSON lines on
 * stdout with `--json`.
 */
export class ProgressDisplay {
  readonly #bar: SingleBar | undefined;
  #started = false;
  #lastLine = 0;
  #lastRate = 0;

  constructor(private readonly json: boolean) {
    this.#bar =
      process.stderr.isTTY === true && !json
        ? new SingleBar(
            {
              format:
                " {bar} {percentage}% | {value}/{total} samples | {rate}/s | eta {eta_s} | failed {failed}",
              hideCursor: true,
            },
            Presets.shades_classic,
          )
        : undefined;
  }

  update(p: ProgressState): void {
    // A finished job reports no live rate: keep showing the last one seen.
    const rate = p.rate > 0 || p.status === "running" ? p.rate : this.#lastRate;
    this.#lastRate = rate;
    const fields = {
      rate: rate.toFixed(1),
      eta_s:
        p.total > 0 && p.done >= p.total
          ? "0s"
          : p.etaSeconds === null
            ? "?"
            : `${Math.round(p.etaSeconds)}s`,
      failed: p.failed,
    };
    if (this.#bar) {
      if (!this.#started) this.#bar.start(p.total, p.done, fields);
      else this.#bar.update(p.done, fields);
    } else if (this.json) {
      process.stdout.write(
        `${JSON.stringify({ event: "progress", id: p.id, status: p.status, total: p.total, done: p.done, failed: p.failed, rate: p.rate, eta_seconds: p.etaSeconds })}\n`,
      );
    } else if (Date.now() - this.#lastLine >= 1000 || p.status !== "running") {
      this.#lastLine = Date.now();
      const percent = p.total ? Math.floor((100 * p.done) / p.total) : 100;
      process.stderr.write(
        `${p.id}: ${p.status} ${p.done}/${p.total} (${percent}%) ${fields.rate} samples/s eta ${fields.eta_s} failed ${fields.failed}\n`,
      );
    }
    this.#started = true;
  }

  stop(): void {
    this.#bar?.stop();
  }
}

/** Follows a server job until it ends and returns its final state. */
export async function followJob(
  client: TextNlpClient,
  jobId: string,
  options: { json: boolean; signal?: AbortSignal },
): Promise<Job> {
  const display = new ProgressDisplay(options.json);
  let last: Job | undefined;
  try {
    for await (const job of client.jobs.watch(jobId, options.signal)) {
      display.update({
        id: job.id,
        status: job.status,
        total: job.total,
        done: job.progress.done,
        failed: job.progress.failed,
        rate: job.progress.rate,
        etaSeconds: job.progress.eta_seconds,
      });
      last = job;
    }
  } finally {
    display.stop();
  }
  if (!last) throw new Error(`no progress received for ${jobId}`);
  return last;
}
