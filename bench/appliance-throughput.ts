/**
 * Tokens/s of the appliance's HTTP API at concurrency 1, 4 and 8, beside node-llama-cpp called
 * directly in this process with the same model and settings, and beside llama-server when
 * LLAMA_SERVER names its binary (bench/README.md says how to build it). Medians of interleaved
 * repeats; ratios against the direct call and llama-server.
 *
 *   npx tsx bench/appliance-throughput.ts [--rounds 5] [--tokens 128] [--threads 1] [--model file.gguf]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { getLlama, LlamaChat, type LlamaContextSequence, resolveChatWrapper } from "node-llama-cpp";
import { STORIES_MODEL, startAppliance } from "../test/helpers/appliance.ts";
import { interleave, median, printTable } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    tokens: { type: "string", default: "128" },
    threads: { type: "string", default: "1" },
    sequences: { type: "string", default: "8" },
    model: { type: "string", default: STORIES_MODEL },
  },
});
const rounds = Number(args.rounds);
const maxTokens = Number(args.tokens);
const threads = Number(args.threads);
const sequences = Number(args.sequences);
const modelPath = args.model as string;
const concurrencies = [1, 4, 8];
const prompt = "Tell me a story about a little cat.";

if (!existsSync(modelPath)) {
  console.log(`bench skipped: model ${modelPath} is absent`);
  process.exit(0);
}
console.log(
  `appliance-throughput: model ${modelPath}, ${maxTokens} tokens per request, threads ${threads}, ` +
    `sequences ${sequences}, ${rounds} interleaved rounds, ${availableParallelism()} cores`,
);

/** Aggregate completion tokens/s of `concurrency` requests fired together. */
async function timed(concurrency: number, one: (i: number) => Promise<number>): Promise<number> {
  const started = performance.now();
  const tokens = await Promise.all(Array.from({ length: concurrency }, (_, i) => one(i)));
  const seconds = (performance.now() - started) / 1000;
  return tokens.reduce((a, b) => a + b, 0) / seconds;
}

async function chatOverHttp(baseUrl: string, model: string, seed: number): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: prompt }],
      max_tokens: maxTokens,
      temperature: 0.8,
      seed,
    }),
  });
  if (!res.ok) throw new Error(`${baseUrl}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { usage: { completion_tokens: number } };
  return body.usage.completion_tokens;
}

// The direct contender: the same model, context shape and generation call the server makes.
const llama = await getLlama({ gpu: "auto", maxThreads: threads, build: "never" });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ sequences, contextSize: 2048, threads });
const pool: LlamaContextSequence[] = Array.from({ length: sequences }, () => context.getSequence());
const wrapper = resolveChatWrapper(model);
console.log(`backend: ${llama.gpu === false ? "cpu" : llama.gpu}`);

async function chatDirect(sequence: LlamaContextSequence, seed: number): Promise<number> {
  await sequence.clearHistory();
  const chat = new LlamaChat({
    contextSequence: sequence,
    chatWrapper: wrapper,
    autoDisposeSequence: false,
  });
  let tokens = 0;
  try {
    await chat.generateResponse(
      [
        { type: "user", text: prompt },
        { type: "model", response: [] },
      ],
      {
        maxTokens,
        temperature: 0.8,
        seed,
        onToken: (t) => {
          tokens += t.length;
        },
      },
    );
  } finally {
    chat.dispose();
  }
  return tokens;
}

const appliance = await startAppliance({
  args: ["--model", modelPath],
  env: {
    TEXTNLP_THREADS: String(threads),
    TEXTNLP_SEQUENCES: String(sequences),
    TEXTNLP_LOG_LEVEL: "info",
  },
});
let llamaServer: { url: string; proc: ChildProcess } | undefined;
if (process.env.LLAMA_SERVER) {
  llamaServer = await startLlamaServer(process.env.LLAMA_SERVER);
} else {
  console.log(
    "llama-server: LLAMA_SERVER is not set, so that column is skipped (bench/README.md says how to build it).",
  );
}

async function startLlamaServer(binary: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = 39000 + Math.floor(Math.random() * 1000);
  const proc = spawn(
    binary,
    [
      "-m",
      modelPath,
      "-t",
      String(threads),
      "-np",
      String(sequences),
      "-c",
      String(2048 * sequences),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error("llama-server did not start");
}

try {
  // Warm-up: load the model in the appliance and touch every path once.
  const applianceModel = modelNameOf(modelPath);
  await chatOverHttp(appliance.url, applianceModel, 0);
  await chatDirect(pool[0] as LlamaContextSequence, 0);
  if (llamaServer) await chatOverHttp(llamaServer.url, "model", 0);

  const rows: Record<string, string | number>[] = [];
  for (const concurrency of concurrencies) {
    let seed = 1;
    const contenders: Record<string, () => Promise<number>> = {
      http: () => timed(concurrency, () => chatOverHttp(appliance.url, applianceModel, seed++)),
      direct: () => timed(concurrency, (i) => chatDirect(pool[i] as LlamaContextSequence, seed++)),
    };
    if (llamaServer) {
      const server = llamaServer;
      contenders.llamaServer = () =>
        timed(concurrency, () => chatOverHttp(server.url, "model", seed++));
    }
    const samples = await interleave(rounds, contenders);
    const http = median(samples.http ?? []);
    const direct = median(samples.direct ?? []);
    const row: Record<string, string | number> = {
      concurrency,
      "http tok/s": http,
      "direct tok/s": direct,
      "http/direct": http / direct,
    };
    if (samples.llamaServer) {
      const server = median(samples.llamaServer);
      row["llama-server tok/s"] = server;
      row["http/llama-server"] = http / server;
    }
    rows.push(row);
  }
  printTable(rows);
  console.log(
    "Goal: http/direct >= 0.95; http/llama-server >= 0.9 (medians of interleaved rounds).",
  );
} finally {
  await appliance.stop();
  appliance.cleanup();
  llamaServer?.proc.kill();
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}

function modelNameOf(path: string): string {
  return (
    path
      .split("/")
      .pop()
      ?.replace(/\.gguf$/i, "") ?? "model"
  );
}
