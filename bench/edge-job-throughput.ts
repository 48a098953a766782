/**
 * Samples/s of a synthetic-data job on the edge (its bundle in Miniflare: D1, the local jobs
 * queue delivering batches to the Worker's own consumer) with 1, 2 and 4 samples generated
 * concurrently inside each batch, beside the same chat requests (the template's rendered prompt,
 * the same max_tokens) fired directly through the edge's `/v1/chat/completions` by a pool of `c`
 * in-flight requests. The provider is the OpenAI fake answering after a fixed latency. A job is
 * timed from `POST /v1/jobs` until `GET /v1/jobs/:id` says `done`. Medians of interleaved rounds;
 * the ratio job/direct per concurrency with the goal (>= 0.9) beside it, printed, not asserted.
 * Then where each run's wall time went, from the provider's record of every call (timeline.ts).
 *
 *   npx tsx bench/edge-job-throughput.ts [--samples 320] [--concurrency 1,2,4] [--latency 50]
 *     [--rounds 3] [--batch-size 40] [--queue-batch 4] [--tokens 16]
 *
 * `--batch-size` is the edge's JOB_BATCH_SIZE (sample keys per queue message), `--queue-batch`
 * the consumer's max_batch_size (messages per delivery; wrangler.toml's is 4). These are local
 * emulator figures: Miniflare's queue hands one delivery at a time to one consumer invocation.
 * The defaults keep a run near 4 minutes on 2 cores (the issue's 2,000 samples take about
 * 20: `--samples 2000`): 40 keys a message is a multiple of every concurrency (a message whose
 * keys do not divide among `c` workers ends with slots idle), and 320 samples make 8 messages,
 * two full deliveries (a delivery short of max_batch_size first waits max_batch_timeout, 1 s).
 */
import { Agent, request } from "node:http";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { deriveSeed } from "../shared/synth/prng.ts";
import { fakeKeys } from "../test/fakes/index.ts";
import { startEdgeWorker } from "../test/helpers/edge.ts";
import { countD1PerSample } from "./edge-jobs/d1-statements.ts";
import { edgeApi } from "./edge-jobs/edge-api.ts";
import { report } from "./edge-jobs/report.ts";
import { type Breakdown, breakdown, startRecordingProvider } from "./edge-jobs/timeline.ts";
import { interleave, quietBrokenPipes, Resources } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    samples: { type: "string", default: "320" },
    concurrency: { type: "string", default: "1,2,4" },
    latency: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
    "batch-size": { type: "string", default: "40" },
    "queue-batch": { type: "string", default: "4" },
    tokens: { type: "string", default: "16" },
  },
});
const samples = Number(args.samples);
const concurrencies = String(args.concurrency).split(",").map(Number);
const latencyMs = Number(args.latency);
const rounds = Number(args.rounds);
const batchSize = Number(args["batch-size"]);
const queueBatch = Number(args["queue-batch"]);
const maxTokens = Number(args.tokens);
if (
  ![samples, rounds, batchSize, queueBatch, maxTokens, ...concurrencies].every(
    (n) => Number.isInteger(n) && n > 0,
  ) ||
  !(Number.isInteger(latencyMs) && latencyMs >= 0)
) {
  throw new Error("every flag takes a positive whole number (--latency may be 0)");
}
const model = `openai/gpt-4o-mini-lat${latencyMs}`;
const topics = ["a cat", "the sea", "a red ball", "the moon", "rain", "a small boat"];
const prompt = "Sample {{ n }}: tell a short story about {{ topic }}.";
const rows = Array.from({ length: samples }, (_, n) => ({ n, topic: topics[n % topics.length] }));
const templateBody = { name: "bench", prompt, params: { max_tokens: maxTokens } };
const rendered = (n: number) => `Sample ${n}: tell a short story about ${rows[n]?.topic}.`;
/** A direct request: sample `n`'s prompt as the template renders it, its parameters and seed. */
const chatRequest = (n: number) => ({
  model,
  messages: [{ role: "user", content: rendered(n) }],
  max_tokens: maxTokens,
  seed: deriveSeed(7, n, 0) & 0x7fffffff,
});

// Both paths' provider time at full concurrency, twice per round, with room for the rest.
const plannedS =
  rounds * concurrencies.reduce((s, c) => s + (2 * samples * latencyMs) / 1000 / c, 0);
const lifetimeMs = (plannedS * 2 + 300) * 1000;

console.log(
  `edge-job-throughput: local emulator (Miniflare) figures. A ${samples}-sample job ` +
    `(JOB_BATCH_SIZE ${batchSize}, ${Math.ceil(samples / batchSize)} queue messages, ` +
    `max_batch_size ${queueBatch}) beside the same requests sent directly through the edge, ` +
    `concurrency ${concurrencies.join(", ")}, provider latency ${latencyMs} ms, ${maxTokens} ` +
    `max_tokens, ${rounds} interleaved rounds, ${availableParallelism()} cores, at least ` +
    `${Math.ceil(plannedS)} s of provider time.`,
);
console.log(
  "Miniflare's local queue delivers one batch (up to max_batch_size messages) at a time, to one " +
    "consumer invocation, and the next only after it returns; the consumer runs a batch's " +
    "messages one after another; a batch not full waits max_batch_timeout (1 s). Cloudflare's " +
    "queues may run several consumer invocations at once.",
);
const uneven = concurrencies.filter((c) => batchSize % c !== 0);
if (uneven.length > 0 || Math.ceil(samples / batchSize) % queueBatch !== 0) {
  console.log(
    `Note: ${uneven.length > 0 ? `JOB_BATCH_SIZE ${batchSize} does not divide among ${uneven.join(", ")} workers (idle slots at each message's end); ` : ""}` +
      `${Math.ceil(samples / batchSize) % queueBatch !== 0 ? "the last delivery is short of max_batch_size and waits max_batch_timeout first" : ""}`,
  );
}

const resources = new Resources();
await resources.run(async () => {
  const provider = await startRecordingProvider(lifetimeMs);
  resources.add(() => provider.close());
  const edge = await startEdgeWorker(
    {
      OPENAI_API_KEY: fakeKeys.openai,
      OPENAI_BASE_URL: provider.url,
      JOB_BATCH_SIZE: String(batchSize),
    },
    { jobsQueue: { maxBatchSize: queueBatch }, lifetimeMs, handleRuntimeStdio: quietBrokenPipes },
  );
  resources.add(() => edge.dispose());
  const { headers, call } = await edgeApi(edge);
  await call("POST", "/v1/templates", templateBody);

  /** One job of `count` samples at concurrency `c`, from its POST until it is seen done. */
  async function viaJob(c: number, count = samples): Promise<Breakdown> {
    provider.reset();
    const started = performance.now();
    const job = await call("POST", "/v1/jobs", {
      template: "bench",
      model,
      rows: rows.slice(0, count),
      concurrency: c,
      seed: 7,
    });
    for (let lastChange = Date.now(), seen = -1; ; ) {
      const state = await call("GET", `/v1/jobs/${job.id}`);
      const progress = state.progress ?? { done: 0, ok: 0, failed: 0 };
      if (state.status === "done") {
        const ended = performance.now();
        if (progress.ok !== count)
          throw new Error(`job ${job.id}: ${progress.ok} of ${count} samples ok`);
        return breakdown(provider.timeline(), {
          start: started,
          end: ended,
          concurrency: c,
          batchSize,
          queueBatch,
        });
      }
      if (state.status !== "queued" && state.status !== "running")
        throw new Error(`job ${job.id} ended ${state.status}`);
      if (progress.done !== seen) [seen, lastChange] = [progress.done, Date.now()];
      if (Date.now() - lastChange > 60_000) throw new Error(`job ${job.id}: stuck at ${seen}`);
      // Rare reads while the provider works, close ones once it has answered every sample.
      for (let waited = 0; waited < 200 && provider.timeline().length < count; waited += 5)
        await new Promise((r) => setTimeout(r, 5));
      if (provider.timeline().length >= count) await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * The same requests through the edge's chat endpoint, `c` in flight, over node:http with
   * keep-alive: Node 20's fetch added about 5 ms a request here, which would flatter the job.
   */
  const agent = new Agent({ keepAlive: true });
  resources.add(async () => agent.destroy());
  const endpoint = new URL(`${edge.url}/v1/chat/completions`);
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(endpoint, { method: "POST", agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode === 200) resolve();
          else reject(new Error(`chat: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  async function direct(c: number, count = samples): Promise<Breakdown> {
    const bodies = Array.from({ length: count }, (_, n) => JSON.stringify(chatRequest(n)));
    provider.reset();
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < count; n = next++) await post(bodies[n] as string);
    };
    await Promise.all(Array.from({ length: c }, worker));
    return breakdown(provider.timeline(), {
      start: started,
      end: performance.now(),
      concurrency: c,
      batchSize: count,
      queueBatch: 1,
    });
  }

  // Counted first, in an edge of its own, so nothing counted shares the cores with the timing.
  const d1 = await countD1PerSample({
    provider: provider.url,
    batchSize,
    queueBatch,
    concurrency: Math.max(...concurrencies),
    samples: Math.min(samples, batchSize * queueBatch),
    template: templateBody,
    job: {
      template: "bench",
      model,
      rows: rows.slice(0, Math.min(samples, batchSize * queueBatch)),
      seed: 7,
    },
    request: chatRequest,
  });

  // Warm-up: JIT, workerd's isolates, D1 and the queue, one delivery's worth.
  const warm = Math.min(samples, batchSize * queueBatch);
  await viaJob(Math.max(...concurrencies), warm);
  await direct(Math.max(...concurrencies), warm);

  const contenders: Record<string, () => Promise<Breakdown>> = {};
  for (const c of concurrencies) {
    contenders[`job@${c}`] = () => viaJob(c);
    contenders[`direct@${c}`] = () => direct(c);
  }
  const runStarted = performance.now();
  const results = await interleave(rounds, contenders);
  const runS = (performance.now() - runStarted) / 1000;
  report(results, { samples, concurrencies, queueBatch, d1 });
  console.log(`\ntimed rounds took ${runS.toFixed(0)} s`);
});
