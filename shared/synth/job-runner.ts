/**
 * The job engine, runtime-agnostic: it walks a job's (row, sample) keys, skips those already
 * committed, generates the rest with bounded concurrency and retries, and commits each result
 * in one idempotent write. Killed at any point and run again, it generates only what is missing.
 */
import { ApiError } from "../api/errors.ts";
import type { ModelProvenance } from "../db/schema/model-versions.ts";

/** What a job is made of. */
export interface JobPlan {
  rows: number;
  samplesPerRow: number;
  concurrency: number;
  /** Attempts per sample before it is recorded as failed. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (jittered). */
  backoffMs?: number;
  /**
   * Only these keys (a queue batch's), instead of every (row, sample) of the job; progress then
   * counts them alone.
   */
  tasks?: readonly SampleTask[];
}

/** One sample to produce. */
export interface SampleTask {
  row: number;
  sample: number;
}

/** The output of one generated column of a sample, with the prompt that produced it. */
export interface ColumnValue {
  value: string;
  messages: { role: string; content: string }[];
  promptTokens: number;
  completionTokens: number;
}

/**
 * The columns of a sample generated so far. A generator saves each column as it is made, so a
 * sample interrupted between columns (a crash, a retry) regenerates only the missing ones.
 */
export interface SampleCheckpoint {
  load(): Promise<Record<string, ColumnValue>>;
  save(name: string, column: ColumnValue): Promise<void>;
}

/** What generating a sample yields. */
export interface GeneratedSample {
  /** The template's A/B variant used, or null. */
  variant?: string | null;
  variables: Record<string, unknown>;
  messages: { role: string; content: string }[];
  output: string;
  /** Generated columns by name (in generation order), or absent for a template without them. */
  columns?: Record<string, ColumnValue>;
  /** Tokens of the whole sample, its columns included. */
  promptTokens: number;
  completionTokens: number;
  /** The model that produced the output, when the call said. */
  provenance?: ModelProvenance | null;
}

/** A committed result. */
export type SampleOutcome =
  | ({ status: "ok"; attempts: number } & SampleTask & GeneratedSample)
  | ({
      status: "failed";
      attempts: number;
      error: string;
      variables: Record<string, unknown>;
    } & SampleTask);

/**
 * Where results go. `commit` must be atomic, ignore a key written before, and drop the key's
 * saved columns in the same write (so a committed sample never leaves partial state behind).
 */
export interface JobStore {
  /** Keys (`row:sample`) already committed, ok or failed. */
  committedKeys(): Promise<Set<string>> | Set<string>;
  commit(outcome: SampleOutcome): Promise<void> | void;
  /** Columns saved for an uncommitted sample; without these, columns are kept in memory only. */
  loadColumns?(
    task: SampleTask,
  ): Promise<Record<string, ColumnValue>> | Record<string, ColumnValue>;
  /** Saves one generated column of an uncommitted sample (ignored if already saved). */
  saveColumn?(task: SampleTask, name: string, column: ColumnValue): Promise<void> | void;
}

/** Generates one sample; throws to fail the attempt. */
export type SampleGenerator = (
  task: SampleTask,
  signal: AbortSignal,
  checkpoint: SampleCheckpoint,
) => Promise<GeneratedSample>;

/** The checkpoint of a task: the store's, or one in memory that lasts for the attempts of this run. */
function checkpointOf(store: JobStore, task: SampleTask): SampleCheckpoint {
  const memory: Record<string, ColumnValue> = {};
  return {
    load: async () => ({ ...(store.loadColumns ? await store.loadColumns(task) : {}), ...memory }),
    save: async (name, column) => {
      memory[name] = column;
      await store.saveColumn?.(task, name, column);
    },
  };
}

/** A snapshot of a running job. */
export interface JobProgress {
  total: number;
  done: number;
  ok: number;
  failed: number;
  completionTokens: number;
  /** Samples per second in this run. */
  rate: number;
  /** Seconds left at the current rate, or null before the first result. */
  etaSeconds: number | null;
}

/** How a run ended. */
export type JobRunResult = { state: "done" | "cancelled"; progress: JobProgress };

/** Options of {@link runJob}. */
export interface RunJobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Variables to record for a sample that failed before it rendered. */
  variablesFor?: (task: SampleTask) => Record<string, unknown>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called as each of the `concurrency` workers runs out of keys (a slot it can give back). */
  onWorkerDone?: () => void;
  /**
   * Each worker writes a sample while it generates its next one (at most one write in flight a
   * worker; all awaited before the run ends, and a failed write fails the run): for a store a
   * network hop away (D1), where waiting for each write idles the worker.
   */
  overlapWrites?: boolean;
}

export const sampleKey = (task: SampleTask) => `${task.row}:${task.sample}`;

/**
 * Errors worth another attempt: overload, timeouts, server and network failures. A spent budget
 * (`insufficient_quota`) is not: its Retry-After is the next month.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) {
    if (err.type === "insufficient_quota") return false;
    return err.status === 429 || err.status >= 500;
  }
  const status = (err as { status?: unknown }).status;
  if (typeof status === "number") return status === 408 || status === 429 || status >= 500;
  return true;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Runs (or resumes) a job until every key is committed or the signal aborts. */
export async function runJob(
  plan: JobPlan,
  store: JobStore,
  generate: SampleGenerator,
  options: RunJobOptions = {},
): Promise<JobRunResult> {
  const { signal, sleep = defaultSleep } = options;
  const maxAttempts = plan.maxAttempts ?? 3;
  const backoffMs = plan.backoffMs ?? 500;
  const committed = await store.committedKeys();
  const total = plan.tasks ? plan.tasks.length : plan.rows * plan.samplesPerRow;
  const progress: JobProgress = {
    total,
    done: plan.tasks
      ? plan.tasks.filter((t) => committed.has(sampleKey(t))).length
      : committed.size,
    ok: 0,
    failed: 0,
    completionTokens: 0,
    rate: 0,
    etaSeconds: null,
  };
  const started = Date.now();
  let doneThisRun = 0;

  function* pending(): Generator<SampleTask> {
    if (plan.tasks) {
      for (const task of plan.tasks) if (!committed.has(sampleKey(task))) yield task;
      return;
    }
    for (let row = 0; row < plan.rows; row++) {
      for (let sample = 0; sample < plan.samplesPerRow; sample++) {
        if (!committed.has(sampleKey({ row, sample }))) yield { row, sample };
      }
    }
  }
  const queue = pending();

  const record = async (outcome: SampleOutcome) => {
    if (signal?.aborted) return;
    await store.commit(outcome);
    doneThisRun++;
    progress.done++;
    if (outcome.status === "ok") {
      progress.ok++;
      progress.completionTokens += outcome.completionTokens;
    } else progress.failed++;
    const seconds = (Date.now() - started) / 1000;
    progress.rate = seconds > 0 ? doneThisRun / seconds : 0;
    progress.etaSeconds = progress.rate > 0 ? (total - progress.done) / progress.rate : null;
    options.onProgress?.({ ...progress });
  };

  /** Generates `task` (with retries); the outcome's write is left to `write`. */
  const work = async (task: SampleTask, write: (outcome: SampleOutcome) => Promise<void>) => {
    let lastError: unknown;
    const checkpoint = checkpointOf(store, task);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (signal?.aborted) return;
      let generated: Awaited<ReturnType<SampleGenerator>>;
      try {
        generated = await generate(task, signal ?? new AbortController().signal, checkpoint);
      } catch (err) {
        if (signal?.aborted) return;
        lastError = err;
        if (!isRetryable(err) || attempt === maxAttempts) break;
        const retryAfter = err instanceof ApiError && err.retryAfter ? err.retryAfter * 1000 : 0;
        await sleep(
          Math.max(retryAfter, backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random())),
          signal,
        );
        continue;
      }
      // A store that fails to write fails the run (its caller retries it), not the sample.
      await write({ status: "ok", attempts: attempt, ...task, ...generated });
      return;
    }
    await write({
      status: "failed",
      attempts: maxAttempts,
      ...task,
      error: lastError instanceof Error ? lastError.message : String(lastError),
      variables: options.variablesFor?.(task) ?? {},
    });
  };

  const worker = async () => {
    // With overlapWrites, the previous sample's write, still in flight while this one generates.
    let writing: Promise<void> = Promise.resolve();
    const write = options.overlapWrites
      ? async (outcome: SampleOutcome) => {
          await writing;
          writing = record(outcome);
          // Marked handled now; awaited (and so thrown) at the next write or the worker's end.
          writing.catch(() => {});
        }
      : record;
    for (let next = queue.next(); !next.done && !signal?.aborted; next = queue.next())
      await work(next.value, write);
    await writing;
    options.onWorkerDone?.();
  };
  options.onProgress?.({ ...progress });
  await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, worker));
  return { state: signal?.aborted ? "cancelled" : "done", progress: { ...progress } };
}
