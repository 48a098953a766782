/**
 * D1 statements per sample of a job and per direct request, counted inside workerd by the
 * round-trips test's wrapped bindings (`bench/workers/counted-jobs-edge.ts`) in an edge of its
 * own, never the timed one. A job's count includes its creation, each message's reads and its
 * completion check, spread over its samples; work after a response (metering) lands before a read.
 */
import { fakeKeys } from "../../test/fakes/index.ts";
import { startEdgeWorker } from "../../test/helpers/edge.ts";
import { edgeApi } from "./edge-api.ts";

/** What the counted edge needs to run the bench's job and requests. */
export interface CountedRun {
  provider: string;
  batchSize: number;
  queueBatch: number;
  concurrency: number;
  /** The job's body less its concurrency, and the direct request of sample `n`. */
  job: Record<string, unknown>;
  request(n: number): Record<string, unknown>;
  samples: number;
  template: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mean D1 statements per sample: through a job, and as direct requests. */
export async function countD1PerSample(run: CountedRun): Promise<{ job: number; direct: number }> {
  const edge = await startEdgeWorker(
    {
      OPENAI_API_KEY: fakeKeys.openai,
      OPENAI_BASE_URL: run.provider,
      JOB_BATCH_SIZE: String(run.batchSize),
    },
    {
      entry: "bench/workers/counted-jobs-edge.ts",
      jobsQueue: { maxBatchSize: run.queueBatch },
      lifetimeMs: 300_000,
    },
  );
  try {
    const { call } = await edgeApi(edge);
    const d1 = async () => {
      await sleep(200);
      return (await call("GET", "/__bench/round-trips")).d1 ?? 0;
    };
    await call("POST", "/v1/templates", run.template);
    // Warm: the key is looked up and cached once, as in the timed edge after its warm-up.
    await call("POST", "/v1/chat/completions", run.request(0));
    await d1();
    const job = await call("POST", "/v1/jobs", { ...run.job, concurrency: run.concurrency });
    // The bench's own reads of the job's state are counted too: one more read after it is
    // done says how many statements a read costs, taken off for each read made.
    let reads = 0;
    for (let done = false; !done; reads++) {
      await sleep(100);
      done = (await call("GET", `/v1/jobs/${job.id}`)).status === "done";
    }
    const total = await d1();
    await call("GET", `/v1/jobs/${job.id}`);
    const perRead = await d1();
    for (let n = 0; n < run.samples; n++)
      await call("POST", "/v1/chat/completions", run.request(n));
    return { job: (total - reads * perRead) / run.samples, direct: (await d1()) / run.samples };
  } finally {
    await edge.dispose();
  }
}
