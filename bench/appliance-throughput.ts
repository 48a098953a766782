/**
 * Tokens/s of the appliance's HTTP API, beside node-llama-cpp called directly in this process with
 * the same model and settings, and beside llama-server when LLAMA_SERVER names its binary
 * (bench/README.md says how to build it), at each concurrency. Medians of interleaved rounds;
 * ratios against the direct call and llama-server.
 *
 * First the tiny model (`--model`, stories260K by default), where the fixed cost of each token
 * dominates. With `--model-size`, then a random-weight F16 llama of about that many parameters
 * (written once under .tmp/models/), where the matrix work dominates, as on a real model: there
 * every contender generates exactly `--size-tokens` tokens (ours: the model's end-of-sequence is
 * unreachable; llama-server: `ignore_eos`), with `--size-threads` threads.
 *
 *   npx tsx bench/appliance-throughput.ts [--rounds 5] [--tokens 128] [--threads 1]
 *     [--sequences 8] [--model file.gguf] [--concurrency 1,4,8,16]
 *     [--model-size 100M [--size-tokens 64] [--size-threads 2] [--skip-tiny]]
 *     [--gpu] [--log-dir dir] [--tracing]
 *
 * `--tracing`: a second appliance with `OTEL_EXPORTER_OTLP_ENDPOINT` set (a loopback sink that
 * answers every export at once, so the cost measured is ours, not a collector's) joins the
 * rounds, each request with a `traceparent`: the table adds its tokens/s, `traced/http` (the
 * cost of tracing; goal of issue 19: >= 0.97) and the spread of the untraced rounds
 * ((max - min) / median of `http`), within which an untraced difference is noise.
 *
 * `--gpu`: every model fully offloaded to CUDA (llama-server `-ngl 99`, node-llama-cpp
 * `gpu: "cuda"`); when node-llama-cpp has no usable CUDA binary the bench says why and our side
 * runs on the CPU. Without it everything runs on the CPU. llama-server's logs go to `--log-dir`
 * (.tmp/bench/appliance-throughput/ by default); each table names where its contenders ran.
 */
import { existsSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  getLlama,
  type Llama,
  LlamaChat,
  type LlamaContextSequence,
  resolveChatWrapper,
} from "node-llama-cpp";
import { newSpanId, newTraceId } from "../shared/tracing/traceparent.ts";
import { startFakeServer } from "../test/fakes/server.ts";
import { ROOT, STORIES_MODEL, startAppliance } from "../test/helpers/appliance.ts";
import { interleave, median, printTable, Resources } from "./lib.ts";
import { llamaServerPlacement, startLlamaServer } from "./llama-server.ts";
import { parseParamCount, sizedModel } from "./sized-model.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    tokens: { type: "string", default: "128" },
    threads: { type: "string", default: "1" },
    sequences: { type: "string", default: "8" },
    model: { type: "string", default: STORIES_MODEL },
    concurrency: { type: "string", default: "1,4,8,16" },
    "model-size": { type: "string" },
    "size-tokens": { type: "string", default: "64" },
    "size-threads": { type: "string", default: "2" },
    "skip-tiny": { type: "boolean", default: false },
    gpu: { type: "boolean", default: false },
    tracing: { type: "boolean", default: false },
    "log-dir": { type: "string" },
  },
});
const rounds = Number(args.rounds);
const sequences = Number(args.sequences);
const concurrencies = (args.concurrency as string).split(",").map(Number);
const contextSize = 2048;
const prompt = "Tell me a story about a little cat.";
const llamaServerBinary = process.env.LLAMA_SERVER;
const logDir = args["log-dir"] ?? join(ROOT, ".tmp", "bench", "appliance-throughput");
if (llamaServerBinary) mkdirSync(logDir, { recursive: true });

/** One table: a model and how every contender runs it. */
interface TableSpec {
  title: string;
  modelPath: string;
  threads: number;
  maxTokens: number;
  /** Every generation must be exactly `maxTokens` long (end-of-sequence out of reach). */
  exactTokens: boolean;
  goal: string;
}

const tables: TableSpec[] = [];
const tinyModel = args.model as string;
if (!args["skip-tiny"] && !existsSync(tinyModel)) {
  console.log(`tiny table skipped: model ${tinyModel} is absent`);
} else if (!args["skip-tiny"]) {
  tables.push({
    title: `tiny model ${tinyModel}`,
    modelPath: tinyModel,
    threads: Number(args.threads),
    maxTokens: Number(args.tokens),
    exactTokens: false,
    goal: "http/direct >= 0.95; http/llama-server >= 0.75 at concurrency 8",
  });
}
if (args["model-size"]) {
  const sized = sizedModel(parseParamCount(args["model-size"]));
  const { embedding, blocks, feedForward, vocabSize } = sized.shape;
  tables.push({
    title:
      `compute-bound model ${sized.path} (${(sized.params / 1e6).toFixed(1)}M parameters, F16: ` +
      `embedding ${embedding}, ${blocks} blocks, feed-forward ${feedForward}, vocabulary ${vocabSize})`,
    modelPath: sized.path,
    threads: Number(args["size-threads"]),
    maxTokens: Number(args["size-tokens"]),
    exactTokens: true,
    goal: "http/direct >= 0.95; http/llama-server >= 0.9 at concurrency 1 and 8",
  });
}

console.log(
  `appliance-throughput: ${rounds} interleaved rounds, concurrency ${concurrencies.join(", ")}, ` +
    `${sequences} sequences of ${contextSize} tokens, ${availableParallelism()} cores`,
);
if (!llamaServerBinary) {
  console.log(
    "llama-server: LLAMA_SERVER is not set, so that column is skipped (bench/README.md says how to build it).",
  );
}

const resources = new Resources();
await resources.run(async () => {
  const llama = await loadLlama(Math.max(1, ...tables.map((t) => t.threads)));
  resources.add(() => llama.dispose());
  for (const table of tables) await runTable(llama, table);
});

/** node-llama-cpp on the CPU, or on CUDA with `--gpu` (on the CPU, saying why, if that fails). */
async function loadLlama(maxThreads: number): Promise<Llama> {
  if (args.gpu) {
    try {
      return await getLlama({ gpu: "cuda", maxThreads, build: "never" });
    } catch (err) {
      const { name, message } = err as Error;
      console.log(
        `node-llama-cpp: no usable CUDA backend (${name}: ${message}); http and direct run on the ` +
          "CPU, so their ratios to llama-server compare CPU with GPU.",
      );
    }
  }
  return getLlama({ gpu: false, maxThreads, build: "never" });
}

async function runTable(llama: Llama, spec: TableSpec): Promise<void> {
  const started = performance.now();
  const gpu = llama.gpu !== false;
  console.log(
    `\n${spec.title}\n${spec.maxTokens} tokens per request${spec.exactTokens ? " (exactly)" : ""}, ` +
      `${spec.threads} threads`,
  );
  const stops = new Resources();
  resources.add(() => stops.stopAll());
  try {
    // The direct contender: the same model, context shape and generation call the server makes.
    const model = await llama.loadModel({ modelPath: spec.modelPath, gpuLayers: gpu ? "max" : 0 });
    stops.add(() => model.dispose());
    const context = await model.createContext({ sequences, contextSize, threads: spec.threads });
    stops.add(() => context.dispose());
    // Free sequences, and requests waiting for one (above `sequences` requests queue, as in the
    // appliance's pool).
    const free = Array.from({ length: sequences }, () => context.getSequence());
    const waiting: ((sequence: LlamaContextSequence) => void)[] = [];
    const take = () =>
      free.pop() ?? new Promise<LlamaContextSequence>((resolve) => waiting.push(resolve));
    const give = (sequence: LlamaContextSequence) => {
      const next = waiting.shift();
      if (next) next(sequence);
      else free.push(sequence);
    };
    const wrapper = resolveChatWrapper(model);

    const applianceEnv = {
      TEXTNLP_GPU: gpu ? "cuda" : "cpu",
      TEXTNLP_THREADS: String(spec.threads),
      TEXTNLP_SEQUENCES: String(sequences),
      TEXTNLP_LOG_LEVEL: "info",
    };
    const appliance = await startAppliance({
      args: ["--model", spec.modelPath],
      env: applianceEnv,
    });
    stops.add(async () => {
      await appliance.stop();
      appliance.cleanup();
    });
    // With --tracing: the same appliance exporting every request's spans to a loopback sink.
    let exports = 0;
    const sink = !args.tracing
      ? undefined
      : await startFakeServer((_req, res) => {
          exports += 1;
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        });
    if (sink) stops.add(() => sink.close());
    const traced = !sink
      ? undefined
      : await startAppliance({
          args: ["--model", spec.modelPath],
          env: { ...applianceEnv, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
        });
    if (traced) {
      stops.add(async () => {
        await traced.stop();
        traced.cleanup();
      });
    }
    const server = !llamaServerBinary
      ? undefined
      : await startLlamaServer({
          binary: llamaServerBinary,
          modelPath: spec.modelPath,
          threads: spec.threads,
          sequences,
          contextSize,
          gpuLayers: args.gpu ? 99 : 0,
          logFile: join(logDir, `llama-server-${tables.indexOf(spec)}.log`),
        });
    if (server) stops.add(() => server.child.stop());

    const applianceModel = modelNameOf(spec.modelPath);
    const checked = (who: string, tokens: number) => {
      if (spec.exactTokens && tokens !== spec.maxTokens) {
        throw new Error(`${who} generated ${tokens} tokens, not ${spec.maxTokens}: it ended early`);
      }
      return tokens;
    };
    const http = async (seed: number) =>
      checked("http", await chatOverHttp(appliance.url, applianceModel, seed, spec.maxTokens));
    const tracedHttp = async (url: string, seed: number) => {
      const traceparent = `00-${newTraceId()}-${newSpanId()}-01`;
      const tokens = await chatOverHttp(
        url,
        applianceModel,
        seed,
        spec.maxTokens,
        {},
        {
          traceparent,
        },
      );
      return checked("traced", tokens);
    };
    // llama-server's own field; our model cannot end, which the appliance's API has no field for.
    const peerFields = spec.exactTokens ? { ignore_eos: true } : {};
    const peer = async (url: string, seed: number) =>
      checked("llama-server", await chatOverHttp(url, "model", seed, spec.maxTokens, peerFields));
    const direct = async (seed: number) => {
      const sequence = await take();
      let tokens = 0;
      try {
        await sequence.clearHistory();
        const chat = new LlamaChat({
          contextSequence: sequence,
          chatWrapper: wrapper,
          autoDisposeSequence: false,
        });
        try {
          await chat.generateResponse(
            [
              { type: "user", text: prompt },
              { type: "model", response: [] },
            ],
            {
              maxTokens: spec.maxTokens,
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
      } finally {
        give(sequence);
      }
      return checked("direct", tokens);
    };

    // Warm-up: load the model in the appliance and touch every path once.
    await http(0);
    await direct(0);
    if (traced) await tracedHttp(traced.url, 0);
    if (server) await peer(server.url, 0);
    console.log(placement(model.gpuLayers, appliance.logs, server ? server.logFile : undefined));

    const rows: Record<string, string | number>[] = [];
    for (const concurrency of concurrencies) {
      let seed = 1;
      const contenders: Record<string, () => Promise<number>> = {
        http: () => timed(concurrency, () => http(seed++)),
        direct: () => timed(concurrency, () => direct(seed++)),
      };
      if (server) {
        contenders.llamaServer = () => timed(concurrency, () => peer(server.url, seed++));
      }
      if (traced)
        contenders.traced = () => timed(concurrency, () => tracedHttp(traced.url, seed++));
      const samples = await interleave(rounds, contenders);
      const ours = median(samples.http ?? []);
      const inProcess = median(samples.direct ?? []);
      const row: Record<string, string | number> = {
        concurrency: String(concurrency),
        "http tok/s": ours,
        "direct tok/s": inProcess,
        "http/direct": ours / inProcess,
      };
      if (samples.traced) {
        const withTraces = median(samples.traced);
        const untraced = samples.http ?? [];
        row["traced tok/s"] = withTraces;
        row["traced/http"] = withTraces / ours;
        row["http spread"] = (Math.max(...untraced) - Math.min(...untraced)) / ours;
      }
      if (samples.llamaServer) {
        const theirs = median(samples.llamaServer);
        row["llama-server tok/s"] = theirs;
        row["http/llama-server"] = ours / theirs;
      }
      rows.push(row);
    }
    printTable(rows);
    if (traced) {
      await traced.stop(); // flushes its last spans
      console.log(
        `Tracing (issue 19): traced/http >= 0.97 with an exporter configured; ${exports} OTLP ` +
          "exports reached the sink.",
      );
    }
    console.log(
      `Goals (issue 15): ${spec.goal} (medians of interleaved rounds; ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s for this table).`,
    );
  } finally {
    await stops.stopAll();
  }
}

/** Aggregate completion tokens/s of `concurrency` requests fired together. */
async function timed(concurrency: number, one: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const tokens = await Promise.all(Array.from({ length: concurrency }, one));
  const seconds = (performance.now() - started) / 1000;
  return tokens.reduce((a, b) => a + b, 0) / seconds;
}

/** A chat completion (with `extra` fields in its body, `headers` added); returns its completion tokens. */
async function chatOverHttp(
  baseUrl: string,
  model: string,
  seed: number,
  maxTokens: number,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: prompt }],
      max_tokens: maxTokens,
      temperature: 0.8,
      seed,
      ...extra,
    }),
  });
  if (!res.ok) throw new Error(`${baseUrl}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { usage: { completion_tokens: number } };
  return body.usage.completion_tokens;
}

/** Where each contender runs the model: the backend and the layers on the GPU. */
function placement(
  directGpuLayers: number,
  applianceLogs: { msg?: string; backend?: unknown; gpuLayers?: unknown }[],
  llamaServerLog: string | undefined,
): string {
  const loaded = applianceLogs.find((l) => l.msg === "model loaded");
  const parts = [
    `http ${loaded?.backend ?? "?"} (${loaded?.gpuLayers ?? "?"} layers on the GPU)`,
    `direct ${directGpuLayers > 0 ? "gpu" : "cpu"} (${directGpuLayers} layers on the GPU)`,
  ];
  if (llamaServerLog) {
    const { devices, offloaded, layers } = llamaServerPlacement(llamaServerLog);
    const where =
      layers > 0 ? `${devices.join(", ")} (offloaded ${offloaded}/${layers} layers to GPU)` : "cpu";
    parts.push(`llama-server ${where} (log ${llamaServerLog})`);
  }
  return `placement: ${parts.join("; ")}`;
}

function modelNameOf(path: string): string {
  return (
    path
      .split("/")
      .pop()
      ?.replace(/\.gguf$/i, "") ?? "model"
  );
}
