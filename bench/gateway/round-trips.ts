/**
 * Storage round trips per request for one configuration, counted inside workerd: the edge built
 * from `bench/workers/counted-edge.ts` (the round-trips test's counting bindings) in its own
 * Miniflare, warmed up (key and limit overrides cached), then `requests` requests one after
 * another. Never the timed instance, so the counting costs the figures nothing.
 */
import { fakeKeys } from "../../test/fakes/index.ts";
import { startEdgeWorker } from "../../test/helpers/edge.ts";
import type { EdgeConfiguration } from "./configurations.ts";
import { send } from "./load.ts";

/** Calls per request, by storage (the shape of `edge/test/round-trips.ts`'s counts). */
export interface RoundTrips {
  d1: number;
  kv: number;
  durableObject: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mean D1, KV and Durable Object calls per request of `config` (metering's `waitUntil` included). */
export async function countRoundTrips(
  config: EdgeConfiguration,
  upstream: string,
  requests = 20,
): Promise<RoundTrips> {
  const edge = await startEdgeWorker(
    { OPENAI_API_KEY: fakeKeys.openai, OPENAI_BASE_URL: upstream, ...config.bindings },
    { ...config.options, entry: "bench/workers/counted-edge.ts", lifetimeMs: 60_000 },
  );
  try {
    const endpoint = {
      url: edge.url,
      headers: { authorization: `Bearer ${await edge.seedApiKey()}` },
      body: config.body,
    };
    const one = async () => {
      const res = await send(endpoint);
      if (!res.ok) throw new Error(`${config.label} (counted) answered ${res.status}: ${res.body}`);
    };
    const read = async () =>
      (await (await fetch(`${edge.url}/__bench/round-trips`)).json()) as RoundTrips;
    for (let i = 0; i < 3; i++) await one();
    // Work after the response (metering, settlement) lands before the counters are reset.
    await sleep(200);
    await read();
    for (let i = 0; i < requests; i++) await one();
    await sleep(200);
    const trips = await read();
    return {
      d1: trips.d1 / requests,
      kv: trips.kv / requests,
      durableObject: trips.durableObject / requests,
    };
  } finally {
    await edge.dispose();
  }
}
