/**
 * Driving jobs through the SDK: follow one to its last state, read every sample, and start the
 * edge with its jobs queue in front of a loopback OpenAI fake.
 */
import type { Job } from "../../shared/api/schemas/synth.ts";
import type { TextNlpClient } from "../../shared/sdk/index.ts";
import { fakeKeys } from "../fakes/index.ts";
import { startFakeOpenAi } from "../fakes/openai.ts";
import type { FakeServer } from "../fakes/server.ts";
import { type EdgeWorker, type EdgeWorkerOptions, startEdgeWorker } from "./edge.ts";

/** Follows a job's events to its last state. */
export async function follow(client: TextNlpClient, id: string): Promise<Job> {
  let last: Job | undefined;
  for await (const job of client.jobs.watch(id)) last = job;
  return last as Job;
}

/** Every sample of a job, page by page. */
export async function allSamples(client: TextNlpClient, id: string) {
  const out: {
    row: number;
    sample: number;
    status: string;
    output: string | null;
    error: string | null;
  }[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await client.jobs.samples(id, { offset, limit: 100 });
    out.push(...page.data);
    if (!page.has_more) return out;
  }
}

/** The distinct `row:sample` keys of samples. */
export const keysOf = (samples: { row: number; sample: number }[]) =>
  new Set(samples.map((s) => `${s.row}:${s.sample}`));

/**
 * The edge in Miniflare with its jobs queue bound, OpenAI's fake behind it (`openai/<model>`),
 * the gateway's own retries off and no circuit opening, so failures reach the job engine as such.
 */
export async function startEdgeWithJobs(
  vars: Record<string, string>,
  options: EdgeWorkerOptions,
): Promise<{ edge: EdgeWorker; fake: FakeServer; close(): Promise<void> }> {
  const fake = await startFakeOpenAi("openai", fakeKeys.openai);
  const edge = await startEdgeWorker(
    {
      OPENAI_API_KEY: fakeKeys.openai,
      OPENAI_BASE_URL: fake.url,
      ROUTING_POLICY: JSON.stringify({
        retry: { attempts: 0 },
        circuitBreaker: { failureThreshold: 1000 },
      }),
      ...vars,
    },
    { jobsQueue: {}, ...options },
  );
  return {
    edge,
    fake,
    close: async () => {
      await edge.dispose();
      await fake.close();
    },
  };
}
