/**
 * Samples/s and tokens/s of a synthetic-data job through the appliance's job engine, beside the
 * same requests (same prompts, seeds and parameters) fired directly at its chat endpoint with the
 * same concurrency. Medians of interleaved repeats; the ratio says what the engine costs.
 *
 *   npx tsx bench/job-throughput.ts [--samples 500] [--concurrency 8] [--tokens 32] [--rounds 3]
 */

import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { deriveSeed } from "../shared/synth/prng.ts";
import { STORIES_MODEL, startAppliance } from "../test/helpers/appliance.ts";
import { interleave, median, printTable } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    samples: { type: "string", default: "500" },
    concurrency: { type: "string", default: "8" },
    tokens: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    threads: { type: "string", default: "1" },
    model: { type: "string", default: STORIES_MODEL },
  },
});
const samples = Number(args.samples);
const concurrency = Number(args.concurrency);
const maxTokens = Number(args.tokens);
const modelPath = args.model as string;
const topics = [
  "a cat",
  "a dog",
  "the sea",
  "a red ball",
  "the moon",
  "a tree",
  "rain",
  "a small boat",
];

if (!existsSync(modelPath)) {
  console.log(`bench skipped: model ${modelPath} is absent`);
  process.exit(0);
}
console.log(
  `job-throughput: ${samples} samples, concurrency ${concurrency}, ${maxTokens} tokens each, ` +
    `${args.rounds} interleaved rounds, threads ${args.threads}, model ${modelPath}`,
);

const appliance = await startAppliance({
  args: ["--model", modelPath],
  env: { TEXTNLP_THREADS: String(args.threads), TEXTNLP_SEQUENCES: String(concurrency) },
});
const url = appliance.url;
const model = modelPath
  .split("/")
  .pop()
  ?.replace(/\.gguf$/i, "") as string;
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
};

await post("/v1/templates", {
  name: "bench",
  prompt: "Tell a short story about {{ topic }}.",
  params: { max_tokens: maxTokens, temperature: 0.8 },
});
const rows = Array.from({ length: samples }, (_, i) => ({ topic: topics[i % topics.length] }));

type Run = { seconds: number; tokens: number };
const runs: Record<"engine" | "direct", Run[]> = { engine: [], direct: [] };

async function viaEngine(seed: number): Promise<number> {
  const started = performance.now();
  const job = await post("/v1/jobs", { template: "bench", model, rows, concurrency, seed });
  for (;;) {
    const res = await fetch(`${url}/v1/jobs/${job.id}`);
    const state = (await res.json()) as {
      status: string;
      progress: { completion_tokens: number; failed: number };
    };
    if (state.status === "done") {
      const seconds = (performance.now() - started) / 1000;
      runs.engine.push({ seconds, tokens: state.progress.completion_tokens });
      if (state.progress.failed > 0)
        console.log(`warning: ${state.progress.failed} samples failed`);
      return samples / seconds;
    }
    if (state.status !== "running" && state.status !== "queued")
      throw new Error(`job ended ${state.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function direct(seed: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  let tokens = 0;
  const worker = async () => {
    for (let i = next++; i < samples; i = next++) {
      const body = (await post("/v1/chat/completions", {
        model,
        messages: [{ role: "user", content: `Tell a short story about ${rows[i]?.topic}.` }],
        max_tokens: maxTokens,
        temperature: 0.8,
        seed: deriveSeed(seed, i, 0) & 0x7fffffff,
      })) as { usage: { completion_tokens: number } };
      tokens += body.usage.completion_tokens;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  runs.direct.push({ seconds, tokens });
  return samples / seconds;
}

try {
  await direct(0); // warm-up: loads the model
  let seed = 1;
  const result = await interleave(Number(args.rounds), {
    engine: () => viaEngine(seed++),
    direct: () => direct(seed++),
  });
  const tokensPerSecond = (list: Run[]) => median(list.map((r) => r.tokens / r.seconds));
  const engine = median(result.engine);
  const directRate = median(result.direct);
  printTable([
    { path: "job engine", "samples/s": engine, "tokens/s": tokensPerSecond(runs.engine) },
    {
      path: "direct requests",
      "samples/s": directRate,
      "tokens/s": tokensPerSecond(runs.direct.slice(1)),
    },
  ]);
  console.log(
    `ratio engine/direct (samples/s): ${(engine / directRate).toFixed(3)}  (goal >= 0.95)`,
  );
} finally {
  await appliance.stop();
  appliance.cleanup();
}
