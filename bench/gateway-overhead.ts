/**
 * What a gateway in front of a provider costs. The same non-streamed chat completion (the same
 * bytes) is sent by autocannon at each concurrency to a loopback fake OpenAI (its own process)
 * directly, through our edge (its deployable bundle in Miniflare, an API key seeded in D1) and
 * through the open-source Portkey gateway (`@portkey-ai/gateway` in Node). For every round, each
 * concurrency runs direct, ours, Portkey in turn; figures are medians over rounds, and added
 * latency is each round's gateway percentile minus that round's direct one.
 *
 * Latency percentiles come from every response's own time (autocannon's histograms keep whole
 * milliseconds only, too coarse for sub-millisecond loopback calls).
 *
 *   npx tsx bench/gateway-overhead.ts [--rounds 5] [--duration 3] [--concurrency 1,64]
 *
 * Portkey listens on every interface (only its port can be chosen): run this on a machine where
 * that is acceptable; the bench only sends it loopback traffic.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { fakeKeys } from "../test/fakes/index.ts";
import { ROOT } from "../test/helpers/appliance.ts";
import { startEdgeWorker } from "../test/helpers/edge.ts";
import {
  freePort,
  interleave,
  median,
  percentile,
  printTable,
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
  },
});
const rounds = Number(args.rounds);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const concurrencies = String(args.concurrency).split(",").map(Number);
if (![rounds, durationS, warmupS, ...concurrencies].every((n) => Number.isFinite(n) && n > 0)) {
  throw new Error("--rounds, --duration, --warmup and --concurrency take positive numbers");
}

const prompt = "Say hello to the benchmark.";
/** Prefixed for our routing; the fake answers any model name, and Portkey passes it through. */
const body = JSON.stringify({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: prompt }],
  max_tokens: 16,
});
const expectedReply = `Hello from openai! You said: ${prompt}`;

type Target = "direct" | "textnlp" | "portkey";
const targets: Target[] = ["direct", "textnlp", "portkey"];
interface Endpoint {
  url: string;
  headers: Record<string, string>;
}
interface Sample {
  rps: number;
  p50: number;
  p99: number;
}

/** Everything started, with its own deadline a little past the planned run. */
const plannedS =
  (warmupS + 1) * targets.length +
  rounds * concurrencies.length * targets.length * (durationS + 0.5);
const lifetimeS = plannedS + 180;

console.log(
  `gateway-overhead: non-streamed chat, concurrency ${concurrencies.join(" and ")}, ${rounds} ` +
    `interleaved rounds of ${durationS} s per target, ${availableParallelism()} cores, ` +
    `about ${Math.ceil(plannedS)} s of load`,
);

/** One autocannon run; throws on any error or non-2xx answer so no figure hides a failure. */
function load(endpoint: Endpoint, connections: number, seconds: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: `${endpoint.url}/v1/chat/completions`,
        method: "POST",
        headers: { "content-type": "application/json", ...endpoint.headers },
        body,
        connections,
        duration: seconds,
        timeout: 30,
      },
      (err, result) => {
        if (err) return reject(err);
        if (result.errors || result.non2xx) {
          return reject(
            new Error(
              `${endpoint.url}: ${result.errors} errors, ${result.non2xx} non-2xx answers ` +
                `(${JSON.stringify(result.statusCodeStats)})`,
            ),
          );
        }
        resolve({
          rps: latencies.length / result.duration,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
        });
      },
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/** One request by hand: every target must give the fake's answer before anything is timed. */
async function checkAnswer(name: Target, endpoint: Endpoint): Promise<void> {
  const res = await fetch(`${endpoint.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...endpoint.headers },
    body,
  });
  const text = await res.text();
  const reply = res.ok
    ? (JSON.parse(text) as { choices?: { message?: { content?: string } }[] }).choices?.[0]?.message
        ?.content
    : undefined;
  if (reply !== expectedReply) throw new Error(`${name} answered ${res.status}: ${text}`);
}

const resources = new Resources();
await resources.run(async () => {
  // The provider: the OpenAI fake in its own process, as a real one would be.
  const fakes = startChild(process.execPath, ["--import", "tsx", "test/fakes/serve.ts"], {
    lifetimeS,
  });
  resources.add(() => fakes.stop());
  const upstream = (await waitForOutput(fakes, /^openai\s+(http:\/\/\S+)/m))[1] as string;

  const edge = await startEdgeWorker(
    { OPENAI_API_KEY: fakeKeys.openai, OPENAI_BASE_URL: upstream },
    { lifetimeMs: lifetimeS * 1000 },
  );
  resources.add(() => edge.dispose());
  const edgeKey = await edge.seedApiKey();

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

  const endpoints: Record<Target, Endpoint> = {
    direct: { url: upstream, headers: { authorization: `Bearer ${fakeKeys.openai}` } },
    textnlp: { url: edge.url, headers: { authorization: `Bearer ${edgeKey}` } },
    portkey: {
      url: portkeyUrl,
      headers: {
        authorization: `Bearer ${fakeKeys.openai}`,
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": `${upstream}/v1`,
      },
    },
  };
  for (const name of targets) await checkAnswer(name, endpoints[name]);
  // Warm-up: JIT, connection pools and workerd's isolate, at the highest concurrency.
  for (const name of targets) {
    await load(endpoints[name], Math.max(...concurrencies), warmupS);
  }

  const contenders: Record<string, () => Promise<Sample>> = {};
  for (const c of concurrencies) {
    for (const name of targets)
      contenders[`${name}@${c}`] = () => load(endpoints[name], c, durationS);
  }
  const samples = await interleave(rounds, contenders);

  const rows: Record<string, string | number>[] = [];
  const goals: Record<string, string | number>[] = [];
  for (const c of concurrencies) {
    const of = (name: Target) => samples[`${name}@${c}`] ?? [];
    const direct = of("direct");
    /** Median over rounds of this round's gateway figure minus this round's direct one. */
    const added = (name: Target, key: "p50" | "p99") =>
      median(of(name).map((s, i) => s[key] - (direct[i] as Sample)[key]));
    const summary = (name: Target) => ({
      rps: median(of(name).map((s) => s.rps)),
      p50: median(of(name).map((s) => s.p50)),
      p99: median(of(name).map((s) => s.p99)),
      addedP50: name === "direct" ? 0 : added(name, "p50"),
      addedP99: name === "direct" ? 0 : added(name, "p99"),
    });
    const figures = Object.fromEntries(targets.map((t) => [t, summary(t)])) as Record<
      Target,
      ReturnType<typeof summary>
    >;
    for (const name of targets) {
      const f = figures[name];
      rows.push({
        concurrency: String(c),
        target: name,
        "req/s": f.rps,
        "p50 ms": f.p50,
        "p99 ms": f.p99,
        "added p50 ms": name === "direct" ? "-" : f.addedP50,
        "added p99 ms": name === "direct" ? "-" : f.addedP99,
      });
    }
    const ours = figures.textnlp;
    const theirs = figures.portkey;
    const met =
      ours.rps > theirs.rps && ours.addedP50 < theirs.addedP50 && ours.addedP99 < theirs.addedP99;
    goals.push({
      concurrency: String(c),
      "req/s ours/portkey": ours.rps / theirs.rps,
      "added p50 ours/portkey": ours.addedP50 / theirs.addedP50,
      "added p99 ours/portkey": ours.addedP99 / theirs.addedP99,
      goal: met ? "met" : "NOT met",
    });
  }
  printTable(rows);
  console.log("");
  printTable(goals);
  console.log(
    "Goal: more req/s (ratio > 1) and less added latency (ratios < 1) than Portkey at every " +
      "concurrency. Medians of interleaved rounds; a shared machine makes them noisy.",
  );
});
