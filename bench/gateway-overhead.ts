/**
 * What a gateway in front of a provider costs, and what our edge costs with its features off and
 * on. The same non-streamed chat completion is sent by autocannon at each concurrency to a
 * loopback fake OpenAI (its own process) directly; to two ceilings in Miniflare (a hello-world
 * Hono Worker, and a pass-through proxy Worker that only forwards to the fake:
 * `bench/workers/`); to our edge's deployable bundle in Miniflare in configuration A (API key +
 * metering) and B (A + limits in the Durable Object + KV response cache + guardrails; see
 * `bench/gateway/configurations.ts`); and to the open-source Portkey gateway
 * (`@portkey-ai/gateway` in Node, its plain configuration), whose figures stand beside every row.
 *
 * B's cache: by default (`--cache bypass`) B sends the same non-deterministic request as every
 * other row, so the cache is bound but passed by (no KV read); `--cache miss` sends a new seed
 * per request (every request a miss: a KV read and a write); `--cache hit` a fixed seed.
 *
 * Each round runs every concurrency's targets in turn; figures are medians over rounds, and added
 * latency is a round's p50 minus that round's direct p50 (per-response times: autocannon's
 * histograms keep whole milliseconds only). Storage round trips per request (D1, KV, Durable
 * Object calls) are counted inside workerd on wrapped bindings, in separate untimed instances
 * (`bench/gateway/round-trips.ts`). The issue's goals are printed beside the figures.
 *
 *   npx tsx bench/gateway-overhead.ts [--rounds 5] [--duration 3] [--warmup 2]
 *     [--concurrency 1,64] [--cache bypass|miss|hit] [--tracing A|B]
 *     [--profile worker.cpuprofile [--profile-config A|B]]
 *
 * `--tracing A` (or `B`) adds that configuration again with tracing exported to a loopback OTLP
 * sink (`OTEL_EXPORTER_OTLP_ENDPOINT`, `bench/gateway/otlp-sink.ts`, which answers at once and
 * keeps nothing) and the request log on (`REQUEST_LOG=all`), timed in the same interleaved rounds
 * as the configuration with both off, and prints its throughput on/off per round (median), the
 * cost that makes and the off row's run-to-run spread, with issue 19's goal (<= 3 % with an
 * exporter configured) beside them (`bench/gateway/tracing.ts`).
 *
 * `--profile` opens workerd's inspector for that configuration's edge (its timed figures then
 * include an open inspector), and after the rounds records a CPU profile of the Worker over one
 * `--duration` of load at the highest concurrency, writes it, and prints the top five functions
 * by self time (open the file in Chrome DevTools).
 *
 * Portkey listens on every interface (only its port can be chosen): run this on a machine where
 * that is acceptable; the bench only sends it loopback traffic.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fakeKeys } from "../test/fakes/index.ts";
import { ROOT } from "../test/helpers/appliance.ts";
import { type EdgeWorker, startEdgeWorker } from "../test/helpers/edge.ts";
import { startCeilings } from "./gateway/ceilings.ts";
import {
  type CacheMode,
  cacheModes,
  edgeConfigurations,
  expectedReply,
  plainBody,
} from "./gateway/configurations.ts";
import { checkAnswer, type Endpoint, load, type Sample, send } from "./gateway/load.ts";
import { profileWorker, topSelfTime } from "./gateway/profile.ts";
import { type Row, report } from "./gateway/report.ts";
import { countRoundTrips, type RoundTrips } from "./gateway/round-trips.ts";
import { reportTracing, startOtlpSink, tracedConfiguration } from "./gateway/tracing.ts";
import {
  freePort,
  interleave,
  quietBrokenPipes,
  Resources,
  startChild,
  waitForHttp,
  waitForOutput,
} from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    concurrency: { type: "string", default: "1,64" },
    cache: { type: "string", default: "bypass" },
    profile: { type: "string" },
    "profile-config": { type: "string", default: "A" },
    tracing: { type: "string" },
  },
});
const rounds = Number(args.rounds);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const concurrencies = String(args.concurrency).split(",").map(Number);
if (![rounds, durationS, ...concurrencies].every((n) => Number.isFinite(n) && n > 0)) {
  throw new Error("--rounds, --duration and --concurrency take positive numbers");
}
if (!(Number.isFinite(warmupS) && warmupS >= 0))
  throw new Error("--warmup takes seconds, 0 or more");
const cache = args.cache as CacheMode;
if (!cacheModes.includes(cache)) throw new Error(`--cache takes ${cacheModes.join(", ")}`);
const configurations = edgeConfigurations(cache);
const untraced = configurations.find((c) => c.id === args.tracing);
if (args.tracing !== undefined && !untraced) throw new Error("--tracing takes A or B");
const traced = untraced && tracedConfiguration(untraced);
if (traced) configurations.push(traced);
const profiled = args.profile
  ? configurations.find((c) => c.id === args["profile-config"])
  : undefined;
if (args.profile && !profiled) throw new Error("--profile-config takes A or B");

const targets = ["direct", "portkey", "hello", "pass-through", ...configurations.map((c) => c.id)];
const rows: Row[] = [
  { key: "hello", label: "ceiling: hello-world Worker", upstream: false },
  { key: "pass-through", label: "ceiling: pass-through proxy", upstream: true },
  ...configurations.map((c) => ({ key: c.id, label: c.label, upstream: true })),
];

/** Everything started, with its own deadline a little past the planned run. */
const plannedS =
  (warmupS + 1) * targets.length +
  rounds * concurrencies.length * targets.length * (durationS + 0.5) +
  (profiled ? durationS : 0);
const lifetimeS = plannedS + 240;

console.log(
  `gateway-overhead: non-streamed chat, concurrency ${concurrencies.join(" and ")}, ${rounds} ` +
    `interleaved rounds of ${durationS} s per target, B's cache: ${cache}, ` +
    `${availableParallelism()} cores, about ${Math.ceil(plannedS)} s of load`,
);

const resources = new Resources();
await resources.run(async () => {
  // The provider: the OpenAI fake in its own process, as a real one would be.
  const fakes = startChild(process.execPath, ["--import", "tsx", "test/fakes/serve.ts"], {
    lifetimeS,
  });
  resources.add(() => fakes.stop());
  const upstream = (await waitForOutput(fakes, /^openai\s+(http:\/\/\S+)/m))[1] as string;
  const providerKey = { authorization: `Bearer ${fakeKeys.openai}` };

  // Counted first, in their own instances, so nothing counted shares a core with the timing.
  const trips: Record<string, RoundTrips> = {};
  for (const config of configurations) {
    if (config !== traced) trips[config.id] = await countRoundTrips(config, upstream);
  }
  const sink = traced && (await startOtlpSink(lifetimeS));
  if (sink) resources.add(() => sink.stop());

  const ceilings = await startCeilings(upstream, lifetimeS * 1000);
  resources.add(() => ceilings.dispose());

  const endpoints: Record<string, Endpoint> = {
    direct: { url: upstream, headers: providerKey, body: plainBody },
    hello: { url: ceilings.hello, headers: {}, body: plainBody },
    "pass-through": { url: ceilings.passThrough, headers: providerKey, body: plainBody },
  };
  const edges: Record<string, EdgeWorker> = {};
  const inspectorPort = profiled ? await freePort() : undefined;
  for (const config of configurations) {
    const edge = await startEdgeWorker(
      {
        OPENAI_API_KEY: fakeKeys.openai,
        OPENAI_BASE_URL: upstream,
        ...config.bindings,
        ...(config.exportsTraces && sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
      },
      {
        ...config.options,
        lifetimeMs: lifetimeS * 1000,
        inspectorPort: config === profiled ? inspectorPort : undefined,
        handleRuntimeStdio: config.options.handleRuntimeStdio ?? quietBrokenPipes,
      },
    );
    resources.add(() => edge.dispose());
    edges[config.id] = edge;
    const authorization = `Bearer ${await edge.seedApiKey()}`;
    endpoints[config.id] = { url: edge.url, headers: { authorization }, body: config.body };
  }

  // Portkey ignores PORT but takes `--port=`; `--headless` leaves out its web UI.
  const portkeyPort = await freePort();
  const portkey = startChild(
    process.execPath,
    [
      join(ROOT, "node_modules/@portkey-ai/gateway/build/start-server.js"),
      `--port=${portkeyPort}`,
      "--headless",
    ],
    { lifetimeS, env: { TRUSTED_CUSTOM_HOSTS: "127.0.0.1,localhost" } },
  );
  resources.add(() => portkey.stop());
  const portkeyUrl = `http://127.0.0.1:${portkeyPort}`;
  await waitForHttp(portkeyUrl, portkey);
  endpoints.portkey = {
    url: portkeyUrl,
    headers: {
      ...providerKey,
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${upstream}/v1`,
    },
    body: plainBody,
  };

  // Every target must give the fake's answer (B the expected cache status) before any timing.
  const endpoint = (name: string) => endpoints[name] as Endpoint;
  for (const name of targets) {
    const config = configurations.find((c) => c.id === name);
    if (cache === "hit" && config?.cacheStatus) await send(endpoint(name));
    await checkAnswer(
      name,
      endpoint(name),
      name === "hello" ? null : expectedReply,
      config?.cacheStatus,
    );
  }
  // Warm-up: JIT, connection pools and workerd's isolates, at the highest concurrency (none: a
  // smoke run).
  if (warmupS > 0) {
    for (const name of targets) await load(endpoint(name), Math.max(...concurrencies), warmupS);
  }

  const contenders: Record<string, () => Promise<Sample>> = {};
  for (const c of concurrencies) {
    for (const name of targets)
      contenders[`${name}@${c}`] = () => load(endpoint(name), c, durationS);
  }
  const samples = await interleave(rounds, contenders);
  report(rows, concurrencies, samples, trips);
  if (untraced && traced && sink) {
    console.log("");
    const row = (c: typeof traced) => rows.find((r) => r.key === c.id) as Row;
    reportTracing(row(untraced), row(traced), concurrencies, samples, await sink.posts());
  }

  if (profiled && inspectorPort && args.profile) {
    const edge = edges[profiled.id] as EdgeWorker;
    const c = Math.max(...concurrencies);
    const profile = await profileWorker(inspectorPort, args.profile, () =>
      load(endpoint(profiled.id), c, durationS),
    );
    console.log(
      `\nCPU profile of the Worker, ${profiled.label}, concurrency ${c}, ${durationS} s: ` +
        `${args.profile}. Top five by self time (share of busy time):`,
    );
    for (const [fn, share] of topSelfTime(profile, edge.scriptPath)) {
      console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${fn}`);
    }
  }
});
