/**
 * The load itself: autocannon against one endpoint, with every response's own latency kept
 * (autocannon's histograms keep whole milliseconds only, too coarse for loopback calls), and a
 * check by hand that an endpoint gives the fake's answer before anything is timed.
 */
import autocannon from "autocannon";
import { percentile } from "../lib.ts";

/** Where a row's requests go. */
export interface Endpoint {
  url: string;
  headers: Record<string, string>;
  /** The request body: one fixed text, or made afresh for each request. */
  body: string | (() => string);
}

/** One run's figures. */
export interface Sample {
  rps: number;
  p50: number;
  p99: number;
}

const PATH = "/v1/chat/completions";

/** One autocannon run; throws on any error or non-2xx answer so no figure hides a failure. */
export function load(endpoint: Endpoint, connections: number, seconds: number): Promise<Sample> {
  const { body } = endpoint;
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: `${endpoint.url}${PATH}`,
        method: "POST",
        headers: { "content-type": "application/json", ...endpoint.headers },
        // A body made per request costs the client a little; only rows that need it use it.
        ...(typeof body === "string"
          ? { body }
          : { requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] }),
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

/** An answer read whole. */
export interface Answer {
  status: number;
  ok: boolean;
  headers: Headers;
  body: string;
}

/** Sends one request by hand and reads its answer. */
export async function send(endpoint: Endpoint): Promise<Answer> {
  const { body } = endpoint;
  const res = await fetch(`${endpoint.url}${PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...endpoint.headers },
    body: typeof body === "string" ? body : body(),
  });
  return { status: res.status, ok: res.ok, headers: res.headers, body: await res.text() };
}

/**
 * Throws unless `endpoint` answers `expectedReply` (or, given no reply, any 2xx) and, where
 * `cacheStatus` is given, the edge's `x-textnlp-cache` header says so.
 */
export async function checkAnswer(
  name: string,
  endpoint: Endpoint,
  expectedReply: string | null,
  cacheStatus?: string,
): Promise<void> {
  const res = await send(endpoint);
  const reply =
    res.ok && expectedReply !== null
      ? (JSON.parse(res.body) as { choices?: { message?: { content?: string } }[] }).choices?.[0]
          ?.message?.content
      : null;
  if (!res.ok || reply !== expectedReply) {
    throw new Error(`${name} answered ${res.status}: ${res.body}`);
  }
  const cache = res.headers.get("x-textnlp-cache");
  if (cacheStatus !== undefined && cache !== cacheStatus) {
    throw new Error(`${name}: x-textnlp-cache is ${cache}, not ${cacheStatus}`);
  }
}
