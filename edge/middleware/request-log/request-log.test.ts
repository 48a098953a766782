/**
 * The request log in workerd, driven by the official `openai` SDK against the provider fakes:
 * one JSON line per request from `console.log`, for every generating route plain and streamed,
 * a fallback (both attempts listed), a cache hit, errors (before and after a stream began) and
 * other routes; `REQUEST_LOG` turns it down or off. Every line is searched for planted secrets
 * (a prompt marker that the fakes echo into the completion too, the API key, provider keys).
 * Workers' clock does not advance during pure CPU work: times are checked as numbers, never as
 * durations.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, inject, it, vi } from "vitest";
import {
  collect,
  fallbackPolicy,
  gatewayClient,
  seedApiKey,
  startGateway,
} from "../../test/gateway.ts";
import type { InferenceLine, RequestLine } from "./index.ts";

const MARKER = `planted-prompt-${crypto.randomUUID()}`;
const messages = [{ role: "user" as const, content: `Say hello. ${MARKER}` }];
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

let unique = 0;
/** A model name no other test uses (the fakes steer by it: `err503`, `cut`, …). */
const fresh = (scenario = "ok") => `rl-${scenario}-${Date.now()}-${unique++}`;

/** Everything written with `console.log` during a test, as written. */
let written: string[] = [];
beforeEach(() => {
  written = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    written.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  });
});

/** The secrets a line must never hold; the API key's is added by each gateway. */
const planted = [MARKER, ...Object.values(inject("fakes").keys)];
afterEach(() => {
  vi.restoreAllMocks();
  const all = written.join("\n");
  for (const secret of planted) expect(all).not.toContain(secret);
});

/** The request-log lines written so far, parsed. */
const lines = () =>
  written
    .filter((w) => w.startsWith("{"))
    .map((w) => JSON.parse(w) as RequestLine)
    .filter((line) => typeof line.traceId === "string");

/** The only line written so far, as an inference call's. */
function onlyLine(): InferenceLine {
  const all = lines();
  expect(all).toHaveLength(1);
  return all[0] as InferenceLine;
}

/** A gateway with a seeded key (its id in the lines, its secret planted). */
async function gateway(options: Parameters<typeof startGateway>[0] = {}) {
  // The edge project's bindings turn the log off for every other test.
  const harness = startGateway({
    policy: { retry: { attempts: 0 } },
    ...options,
    bindings: { REQUEST_LOG: "all", ...options.bindings },
  });
  const key = await seedApiKey(["*"], "tenant-log");
  planted.push(key.secret);
  return { ...harness, key, client: gatewayClient(key.secret, harness.call) };
}

/** What every inference line has, whatever the call. */
function expectCommon(line: InferenceLine, keyId: string) {
  expect(line.kind).toBe("inference");
  expect(line.requestId).toMatch(/^[\w-]+$/);
  expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(line.method).toBe("POST");
  expect(line.tenant).toBe("tenant-log");
  expect(line.keyId).toBe(keyId);
  expect(line.latencyMs).toBeGreaterThanOrEqual(0);
  expect(line.ttfbMs).toBeGreaterThanOrEqual(0);
  expect(line.message).toBe(`POST ${line.route} ${line.status}`);
}

describe("the request log's inference lines", () => {
  it("chat, plain: ids from the request, target, one attempt, tokens, cost", async () => {
    const { client, key } = await gateway();
    const { data, response } = await client.chat.completions
      .create(
        { model: "openai/gpt-4o-mini", messages },
        {
          headers: { "x-request-id": "req-log-1", traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
        },
      )
      .withResponse();
    expect(response.headers.get("x-request-id")).toBe("req-log-1");
    // The completion echoes the prompt: the planted marker went both ways, into no line.
    expect(data.choices[0]?.message.content).toContain(MARKER);
    const line = onlyLine();
    expectCommon(line, key.id);
    expect(line).toMatchObject({
      requestId: "req-log-1",
      traceId: TRACE,
      route: "/v1/chat/completions",
      status: 200,
      model: "openai/gpt-4o-mini",
      target: "openai/gpt-4o-mini",
      cache: "bypass",
      streamed: false,
    });
    expect(line.attempts).toEqual([
      { target: "openai/gpt-4o-mini", status: 200, ms: expect.any(Number) },
    ]);
    expect(line.promptTokens).toBeGreaterThan(0);
    expect(line.completionTokens).toBeGreaterThan(0);
    // The built-in catalogue prices this model: the metered cost, to ten significant digits.
    const metered = await env.DB.prepare(
      "SELECT cost_usd FROM usage_events WHERE tenant_id = 'tenant-log' AND model = ?",
    )
      .bind("openai/gpt-4o-mini")
      .first<number>("cost_usd");
    expect(metered).toBeGreaterThan(0);
    expect(line.costUsd).toBe(Number(metered?.toPrecision(10)));
    expect(line.error).toBeUndefined();
  });

  it("chat, streamed: written once the stream ended, with the provider's usage", async () => {
    const { client, key, settled } = await gateway();
    const model = `openai/${fresh()}`;
    const { data, response } = await client.chat.completions
      .create({ model, messages, stream: true })
      .withResponse();
    expect((await collect(data)).error).toBeUndefined();
    await settled();
    const line = onlyLine();
    expectCommon(line, key.id);
    expect(response.headers.get("x-request-id")).toBe(line.requestId);
    expect(line).toMatchObject({ route: "/v1/chat/completions", status: 200, streamed: true });
    expect(line.target).toBe(model);
    expect(line.attempts).toHaveLength(1);
    expect(line.promptTokens).toBeGreaterThan(0);
    expect(line.completionTokens).toBeGreaterThan(0);
    // A fresh trace when the request carries none.
    expect(line.traceId).not.toBe(TRACE);
  });

  it("completions, plain and streamed", async () => {
    const { client, key, settled } = await gateway();
    const model = `openai/${fresh()}`;
    await client.completions.create({ model, prompt: `Once ${MARKER}`, max_tokens: 4 });
    const stream = await client.completions.create({
      model,
      prompt: `Once ${MARKER}`,
      max_tokens: 4,
      stream: true,
    });
    for await (const _ of stream) {
      // Read to the end.
    }
    await settled();
    const [plain, streamed] = lines() as InferenceLine[];
    for (const line of [plain, streamed]) {
      if (!line) throw new Error("two lines expected");
      expectCommon(line, key.id);
      expect(line).toMatchObject({ route: "/v1/completions", status: 200, target: model });
      expect(line.promptTokens).toBeGreaterThan(0);
      // Nothing prices a model the catalogue does not know.
      expect(line.costUsd).toBeNull();
    }
    expect(plain?.streamed).toBe(false);
    expect(streamed?.streamed).toBe(true);
  });

  it("embeddings", async () => {
    const { client, key } = await gateway();
    const model = `cohere/${fresh()}`;
    await client.embeddings.create({ model, input: [MARKER, "two"] });
    const line = onlyLine();
    expectCommon(line, key.id);
    expect(line).toMatchObject({ route: "/v1/embeddings", status: 200, target: model });
    expect(line.promptTokens).toBeGreaterThan(0);
    expect(line.completionTokens).toBe(0);
  });

  it("a fallback lists both attempts, the failed one with its status", async () => {
    const failing = `openai/${fresh("err503")}`;
    const answering = `cohere/${fresh()}`;
    const { client } = await gateway({ policy: fallbackPolicy(failing, answering) });
    await client.chat.completions.create({ model: "backup", messages });
    const line = onlyLine();
    expect(line).toMatchObject({ model: "backup", target: answering, status: 200 });
    expect(line.attempts).toEqual([
      { target: failing, status: 503, ms: expect.any(Number), failure: "status" },
      { target: answering, status: 200, ms: expect.any(Number) },
    ]);
  });

  it("a cache hit: no attempt, no tokens, the cached answer's target", async () => {
    const { client } = await gateway();
    const model = `openai/${fresh()}`;
    const ask = () => client.chat.completions.create({ model, messages, temperature: 0 });
    await ask();
    await ask();
    const [miss, hit] = lines() as InferenceLine[];
    expect(miss).toMatchObject({ cache: "miss", target: model });
    expect(miss?.attempts).toHaveLength(1);
    expect(hit).toMatchObject({ cache: "hit", status: 200, target: model, attempts: [] });
    expect(hit).toMatchObject({ promptTokens: 0, completionTokens: 0 });
  });

  it("an upstream error: its status and code, and the attempt that failed", async () => {
    const { client } = await gateway();
    const model = `mistral/${fresh("err400")}`;
    const err = await client.chat.completions.create({ model, messages }).catch((e) => e);
    expect(err.status).toBe(400);
    const line = onlyLine();
    expect(line).toMatchObject({
      status: 400,
      error: "upstream_invalid_request",
      target: null,
      costUsd: null,
    });
    expect(line.attempts).toEqual([
      { target: model, status: 400, ms: expect.any(Number), failure: "status" },
    ]);
  });

  it("a refusal before any provider (unknown model): no attempt, the envelope's code", async () => {
    const { client } = await gateway();
    const err = await client.chat.completions
      .create({ model: "nowhere/at-all", messages })
      .catch((e) => e);
    expect(err.status).toBe(404);
    expect(onlyLine()).toMatchObject({
      status: 404,
      error: "model_not_found",
      model: "nowhere/at-all",
      attempts: [],
    });
  });

  it("a stream cut after its 200 went out: status 502 and the error event's code", async () => {
    const { client, settled } = await gateway();
    const model = `openai/${fresh("cut")}`;
    const read = await collect(
      await client.chat.completions.create({ model, messages, stream: true }),
    );
    expect(read.error).toBeDefined();
    await settled();
    expect(onlyLine()).toMatchObject({
      status: 502,
      error: "upstream_stream_interrupted",
      streamed: true,
      target: model,
    });
  });
});

describe("the request log's other lines", () => {
  it("a route that does not generate: method, route, status, tenant and key", async () => {
    const { client, key } = await gateway();
    await client.models.list();
    const [line] = lines();
    expect(lines()).toHaveLength(1);
    expect(line).toMatchObject({
      kind: "request",
      method: "GET",
      route: "/v1/models",
      status: 200,
      tenant: "tenant-log",
      keyId: key.id,
    });
    expect(line?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty("model");
  });

  it("no route, and no credentials: the error's code, no tenant", async () => {
    const { callRaw } = await gateway();
    const missing = await callRaw("http://edge/nowhere");
    expect(missing.status).toBe(404);
    const missingId = missing.headers.get("x-request-id");
    expect(missingId).toBeTruthy();
    expect(await missing.json()).toMatchObject({ error: { code: "route_not_found" } });
    const unauthenticated = await callRaw("http://edge/v1/models", {
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    });
    expect(unauthenticated.status).toBe(401);
    const [notFound, refused] = lines();
    expect(notFound).toMatchObject({ route: null, status: 404, error: "route_not_found" });
    expect(notFound?.message).toBe("GET (no route) 404");
    expect(notFound?.requestId).toBe(missingId);
    expect(refused).toMatchObject({ route: "/v1/models", status: 401, traceId: TRACE });
    expect(refused?.error).toEqual(expect.any(String));
    expect(refused).not.toHaveProperty("tenant");
  });
});

describe("REQUEST_LOG", () => {
  it("errors: only failed requests, a stream cut after its 200 included", async () => {
    const { client, settled } = await gateway({
      policy: { retry: { attempts: 0 } },
      bindings: { REQUEST_LOG: "errors" },
    });
    await client.chat.completions.create({ model: `openai/${fresh()}`, messages });
    await client.models.list();
    await client.chat.completions.create({ model: "nowhere/at-all", messages }).catch(() => {});
    const cut = `openai/${fresh("cut")}`;
    await collect(await client.chat.completions.create({ model: cut, messages, stream: true }));
    await settled();
    expect(lines().map((line) => line.status)).toEqual([404, 502]);
  });

  it("off: nothing", async () => {
    const { client } = await gateway({
      policy: { retry: { attempts: 0 } },
      bindings: { REQUEST_LOG: "off" },
    });
    await client.chat.completions.create({ model: `openai/${fresh()}`, messages });
    await client.models.list();
    expect(lines()).toEqual([]);
  });
});
