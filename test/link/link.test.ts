/**
 * The hybrid link end to end: the edge bundle in Miniflare (workerd, real D1 and Durable
 * Objects, listening on loopback) and real appliance processes on the tiny model that enrolled
 * with the CLI and dialled out to it. The official `openai` SDK talks to the edge only.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKeySecret, hashApiKey } from "../../shared/auth/api-keys.ts";
import { type ExportedSpan, exportedTrace, OTLP, startOtlpReceiver } from "../fakes/otlp.ts";
import type { FakeServer } from "../fakes/server.ts";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type EdgeWorker, startEdgeWorker } from "../helpers/edge.ts";

const SITE = "lab";
/** Planted in prompts: no exported span may hold it. */
const MARKER = `planted-prompt-${crypto.randomUUID()}`;
/** The caller's span in the `traceparent` the tests send. */
const CALLER_SPAN = "00f067aa0ba902b7";
const EDGE = "textnlp-edge";
const APPLIANCE = "textnlp-appliance";
const DEADLINE_MS = 30_000;
/** A loopback OTLP receiver both halves export to (spans batched for 100 ms on the appliance). */
let otlp: FakeServer;
/** Short backoff, so a restarted or dropped appliance redials at once. */
const LINK_ENV: Record<string, string> = {
  OTEL_BSP_SCHEDULE_DELAY: "100",
  TEXTNLP_LINK_BACKOFF_BASE_MS: "100",
  TEXTNLP_LINK_BACKOFF_MAX_MS: "400",
  TEXTNLP_SEQUENCES: "4",
  TEXTNLP_BACKUP_ENABLED: "false",
};

let edge: EdgeWorker;
let secret: string;
let client: OpenAI;
let model: string;
const running: ApplianceProcess[] = [];
const dirs: Record<string, string> = {};
const ids: Record<string, string> = {};

interface ApplianceRow {
  id: string;
  name: string;
  status: string;
  protocol: number | null;
  models: { id: string }[];
}

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${edge.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
  });
}

async function siteAppliances(): Promise<ApplianceRow[]> {
  const res = await admin("/v1/admin/sites");
  const { data } = (await res.json()) as { data: { id: string; appliances: ApplianceRow[] }[] };
  return data.find((s) => s.id === SITE)?.appliances ?? [];
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const statusOf = async (name: string) =>
  (await siteAppliances()).find((a) => a.name === name)?.status;

/** Enrolls a new appliance with the CLI into the site; returns its data directory. */
async function enrollAppliance(name: string, env: Record<string, string> = {}): Promise<string> {
  const issued = await admin(`/v1/admin/sites/${SITE}/enrollment-codes`, {
    method: "POST",
    body: "{}",
  });
  const { code } = (await issued.json()) as { code: string };
  const dir = tempDataDir();
  const out = await runCli(["enroll", edge.url, code, "--name", name, "--data-dir", dir], { env });
  expect(out.code, out.stderr).toBe(0);
  ids[name] = /enrolled as (\S+)/.exec(out.stdout)?.[1] ?? "";
  dirs[name] = dir;
  return dir;
}

/** A loopback HTTP CONNECT proxy (the customer's outbound proxy) that records its tunnels. */
async function startConnectProxy() {
  const tunnels: string[] = [];
  const sockets = new Set<{ destroy(): void }>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client, head) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    sockets.add(client);
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  /** Stops it, cutting the tunnels it holds (they outlive `server.close`). */
  const close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return { url: `http://127.0.0.1:${address.port}`, tunnels, close };
}

async function start(name: string, env: Record<string, string> = {}) {
  const proc = await startAppliance({
    dataDir: dirs[name],
    args: ["--model", STORIES_MODEL],
    env: { ...LINK_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...env },
  });
  running.push(proc);
  return proc;
}

/** Chat requests each appliance answered, from its request log. */
const served = (proc: ApplianceProcess) =>
  proc.logs.filter((l) => l.msg === "request" && l.path === "/v1/chat/completions").length;

async function linkStatus(name: string) {
  const out = await runCli(["status", "--json", "--data-dir", dirs[name] as string]);
  return JSON.parse(out.stdout) as { link: { status: string; last_error?: string | null } };
}

const ask = (max_tokens = 24) =>
  client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Once upon a time" }],
    max_tokens,
  });

async function streamed(max_tokens: number, signal?: AbortSignal) {
  const started = Date.now();
  let text = "";
  const finishes: string[] = [];
  let error: unknown;
  try {
    const stream = await client.chat.completions.create(
      {
        model,
        messages: [{ role: "user", content: "Once upon a time" }],
        max_tokens,
        stream: true,
      },
      { signal },
    );
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    }
  } catch (err) {
    error = err;
  }
  return { text, finishes, error, ms: Date.now() - started };
}

/** A fresh trace id, and the `traceparent` header naming the caller's span in it. */
function freshTrace() {
  const id = crypto.randomUUID().replaceAll("-", "");
  return { id, headers: { traceparent: `00-${id}-${CALLER_SPAN}-01` } };
}

/**
 * The spans of trace `traceId` once `ready` holds for them (both halves export in the
 * background); nothing exported may hold the prompt marker, the API key or `secrets`.
 */
async function traceOf(
  traceId: string,
  ready: (spans: ExportedSpan[]) => boolean,
  secrets: string[] = [],
): Promise<ExportedSpan[]> {
  let found = { bodies: [] as string[], spans: [] as ExportedSpan[] };
  await waitUntil(`the spans of trace ${traceId}`, async () => {
    found = await exportedTrace(otlp.url, traceId);
    return ready(found.spans);
  });
  const exported = found.bodies.join("\n");
  for (const planted of [MARKER, secret, ...secrets]) expect(exported).not.toContain(planted);
  return found.spans;
}

/** The one span of `service` named `name`. */
function one(spans: ExportedSpan[], service: string, name: string): ExportedSpan {
  const matching = spans.filter((span) => span.service === service && span.name === name);
  expect(matching, `${service}: ${name}`).toHaveLength(1);
  return matching[0] as ExportedSpan;
}

const hasEdgeServer = (spans: ExportedSpan[]) =>
  spans.some((span) => span.service === EDGE && span.kind === OTLP.SERVER);

describe("the hybrid link, edge in workerd and real appliances", () => {
  let a: ApplianceProcess;
  let b: ApplianceProcess;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    edge = await startEdgeWorker({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      LINK_HEARTBEAT_MS: "500",
      ROUTING_POLICY: JSON.stringify({ timeoutMs: DEADLINE_MS }),
    });
    secret = generateApiKeySecret();
    await edge.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t', 't', 0)");
    await edge.sql(
      "INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES ('k', 't', 'e2e', 'x', ?, '[\"*\"]', 0)",
      await hashApiKey(secret),
    );
    client = new OpenAI({ baseURL: `${edge.url}/v1`, apiKey: secret, maxRetries: 0 });
    expect(
      (await admin("/v1/admin/sites", { method: "POST", body: `{"id":"${SITE}"}` })).status,
    ).toBe(201);
    await enrollAppliance("a");
    await enrollAppliance("b");
    // a has two versions of its model: this file as version 1, `--model` makes its own version 2.
    const imported = await runCli([
      "models",
      "import",
      TINY_RANDOM_MODEL,
      "--name",
      "stories260K",
      "--data-dir",
      dirs.a as string,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    // A mixed-version pair: b speaks the protocol version before the current one.
    [a, b] = await Promise.all([start("a"), start("b", { TEXTNLP_LINK_PROTOCOL: "2" })]);
    await waitUntil("both appliances online", async () => {
      const rows = await siteAppliances();
      return rows.filter((r) => r.status === "online").length === 2;
    });
    model = `site:${SITE}/${(await siteAppliances())[0]?.models[0]?.id}`;
  }, 180_000);

  afterAll(async () => {
    for (const proc of running) {
      await proc.stop("SIGKILL");
      proc.cleanup();
    }
    await edge?.dispose();
    await otlp?.close();
  });

  it("answers plain and streamed from site: models over a mixed-version pair", async () => {
    const rows = await siteAppliances();
    expect(rows.map((r) => r.protocol).sort()).toEqual([2, 3]);
    expect((await client.models.list()).data.map((m) => m.id)).toContain(model);
    const plain = await ask();
    expect(plain.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(plain.model).toBe(model);
    const out = await streamed(24);
    expect(out.error).toBeUndefined();
    expect(out.text.length).toBeGreaterThan(0);
    expect(out.finishes).toHaveLength(1);
    const status = await linkStatus("a");
    expect(status.link.status).toBe("connected");
  });

  it("routes name@N to the appliance that has that version", async () => {
    const versioned = `site:${SITE}/stories260K@1`;
    expect((await client.models.list()).data.map((m) => m.id)).toContain(versioned);
    const before = [served(a), served(b)];
    const answer = await client.chat.completions.create({
      model: versioned,
      messages: [{ role: "user", content: "Once upon a time" }],
      max_tokens: 4,
    });
    expect(answer.model).toBe(versioned);
    await waitUntil("a's request log", async () => served(a) === (before[0] as number) + 1);
    expect(served(b)).toBe(before[1]);
    // The edge's usage row names the version that answered and its file, as a reported.
    const usage = () =>
      edge.rows<{ version: number; sha256: string }>(
        "SELECT target_version AS version, target_sha256 AS sha256 FROM usage_events WHERE model = ?",
        versioned,
      );
    await waitUntil("the edge's usage row", async () => (await usage()).length === 1);
    const sha256 = createHash("sha256").update(readFileSync(TINY_RANDOM_MODEL)).digest("hex");
    expect(await usage()).toEqual([{ version: 1, sha256 }]);
  });

  it("spreads concurrent load over both appliances", async () => {
    const before = [served(a), served(b)];
    const outs = await Promise.all(Array.from({ length: 8 }, () => streamed(48)));
    for (const out of outs) expect(out.error).toBeUndefined();
    await waitUntil("request logs", async () => served(a) + served(b) >= before[0] + before[1] + 8);
    expect(served(a)).toBeGreaterThan(before[0] as number);
    expect(served(b)).toBeGreaterThan(before[1] as number);
  });

  it("traces a request across edge, link and appliance; an older appliance gets no context", async () => {
    const beforeA = served(a);
    const beforeB = served(b);
    const calls: { id: string; text: string }[] = [];
    // One at a time: ties of load go to the appliance idle longest, so both serve some.
    for (let i = 0; i < 4; i++) {
      const { id, headers } = freshTrace();
      const stream = await client.chat.completions.create(
        {
          model,
          messages: [{ role: "user", content: `Once upon a time ${MARKER}` }],
          max_tokens: 24,
          stream: true,
        },
        { headers },
      );
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      calls.push({ id, text });
    }
    await waitUntil("request logs", async () => served(a) + served(b) === beforeA + beforeB + 4);
    const fromA = served(a) - beforeA;
    expect(fromA).toBeGreaterThan(0);
    expect(fromA).toBeLessThan(4);
    // The protocol-3 appliance's spans join the edge's trace; the protocol-2 one's cannot.
    const traces = new Map<string, ExportedSpan[]>();
    await waitUntil("appliance spans in a's traces", async () => {
      for (const { id, text } of calls) {
        traces.set(id, await traceOf(id, hasEdgeServer, text.length > 8 ? [text] : []));
      }
      const joined = [...traces.values()].filter((spans) =>
        spans.some((span) => span.service === APPLIANCE && span.name.startsWith("POST")),
      );
      // The request's span and its three phases, however the batches split them.
      const complete = (spans: ExportedSpan[]) =>
        spans.filter((span) => span.service === APPLIANCE).length === 4;
      return joined.length === fromA && joined.every(complete);
    });
    for (const spans of traces.values()) {
      const server = one(spans, EDGE, "POST /v1/chat/completions");
      expect(server.kind).toBe(OTLP.SERVER);
      expect(server.parentSpanId).toBe(CALLER_SPAN);
      const attempt = one(spans, EDGE, "upstream attempt");
      expect(attempt).toMatchObject({ kind: OTLP.CLIENT, parentSpanId: server.spanId });
      expect(attempt.attributes["textnlp.target"]).toBe(model);
      if (!spans.some((span) => span.service === APPLIANCE)) continue;
      const linked = one(spans, APPLIANCE, "POST /v1/chat/completions");
      expect(linked).toMatchObject({ kind: OTLP.SERVER, parentSpanId: attempt.spanId });
      expect(linked.attributes).toMatchObject({
        "textnlp.via": "link",
        "http.response.status_code": 200,
      });
      for (const phase of ["queue wait", "prompt processing", "generation"]) {
        expect(one(spans, APPLIANCE, phase).parentSpanId).toBe(linked.spanId);
      }
      const prompt = one(spans, APPLIANCE, "prompt processing").attributes;
      expect(
        Number(prompt["textnlp.prompt.evaluated_tokens"]) +
          Number(prompt["textnlp.prompt.reused_tokens"]),
      ).toBeGreaterThan(0);
      const generation = one(spans, APPLIANCE, "generation").attributes;
      expect(generation["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
      expect(generation["textnlp.time_to_first_token_ms"]).toBeGreaterThanOrEqual(0);
      expect(linked.attributes["textnlp.time_to_first_token_ms"]).toBe(
        generation["textnlp.time_to_first_token_ms"],
      );
    }
  });

  it("cancels the generation on the appliance when the client aborts", async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model,
        messages: [{ role: "user", content: "Once upon a time" }],
        max_tokens: 1500,
        stream: true,
      },
      { signal: controller.signal },
    );
    for await (const _chunk of stream) {
      controller.abort();
    }
    await waitUntil("a cancelled request in an appliance log", async () =>
      [a, b].some((p) => p.logs.some((l) => l.msg === "request" && l.cancelled === true)),
    );
  });

  it("survives kill -9 of one appliance mid-run: every request ends once, in time", async () => {
    const runs = Array.from({ length: 6 }, () => streamed(300));
    await new Promise((r) => setTimeout(r, 300));
    a.proc.kill("SIGKILL");
    const outs = await Promise.all(runs);
    for (const out of outs) {
      // An answer (one finish) or an error event, never both, never two answers.
      expect(out.finishes.length + (out.error ? 1 : 0)).toBe(1);
      expect(out.ms).toBeLessThan(DEADLINE_MS + 2000);
    }
    await waitUntil("a offline", async () => (await statusOf("a")) === "offline", 10_000);
    const after = await ask();
    expect(after.choices[0]?.message.content?.length).toBeGreaterThan(0);
  });

  it("lets the restarted appliance rejoin within 5 s", async () => {
    a = await start("a");
    await waitUntil("a online again", async () => (await statusOf("a")) === "online", 5_000);
  });

  it("refuses a revoked appliance, which stops redialling and says why", async () => {
    const res = await admin(`/v1/admin/sites/${SITE}/appliances/${ids.b}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    await waitUntil("b refused", async () => (await linkStatus("b")).link.status === "refused");
    expect((await linkStatus("b")).link.last_error).toMatch(/revoked/);
    expect(await statusOf("b")).toBe("revoked");
    const after = await ask();
    expect(after.choices[0]?.message.content?.length).toBeGreaterThan(0);
  });

  it("traces a link cut mid-stream as the failure of the attempt that carried it", async () => {
    // b is revoked: a serves this, and is killed once its answer began.
    const { id, headers } = freshTrace();
    const stream = await client.chat.completions.create(
      {
        model,
        messages: [{ role: "user", content: `Once upon a time ${MARKER}` }],
        max_tokens: 1500,
        stream: true,
      },
      { headers },
    );
    let error: unknown;
    let killed = false;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && !killed) killed = a.proc.kill("SIGKILL");
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeDefined();
    const spans = await traceOf(id, hasEdgeServer);
    const server = one(spans, EDGE, "POST /v1/chat/completions");
    expect(server.status?.code).toBe(OTLP.STATUS_ERROR);
    const attempt = one(spans, EDGE, "upstream attempt");
    expect(attempt.parentSpanId).toBe(server.spanId);
    expect(attempt.status?.code).toBe(OTLP.STATUS_ERROR);
    // The relay saw the hub end the stream with an error event (the link dropped mid-answer).
    expect(attempt.attributes["error.type"]).toBe("upstream_stream_error");
    expect(server.attributes["error.type"]).toBe("upstream_stream_error");
    // The steps before it did their part.
    for (const span of spans.filter((s) => s !== server && s !== attempt)) {
      expect(span.status?.code, span.name).not.toBe(OTLP.STATUS_ERROR);
    }
    await waitUntil("a offline", async () => (await statusOf("a")) === "offline", 10_000);
  });

  it("enrolls and links through an outbound proxy", async () => {
    const proxy = await startConnectProxy();
    let proxied: ApplianceProcess | undefined;
    try {
      const env = { TEXTNLP_LINK_PROXY: proxy.url };
      await enrollAppliance("proxied", env);
      expect(proxy.tunnels).toHaveLength(1);
      proxied = await start("proxied", env);
      await waitUntil("proxied online", async () => (await statusOf("proxied")) === "online");
      const edgeHost = new URL(edge.url).host;
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
      expect(new Set(proxy.tunnels)).toEqual(new Set([edgeHost]));
    } finally {
      proxy.close();
    }
    // The edge is now unreachable for it: it redials, and local clients are served meanwhile.
    await waitUntil("proxied link down", async () => {
      return (await linkStatus("proxied")).link.status !== "connected";
    });
    const local = new OpenAI({ baseURL: `${proxied?.url}/v1`, apiKey: "local", maxRetries: 0 });
    const answer = await local.chat.completions.create({
      model: model.slice(`site:${SITE}/`.length),
      messages: [{ role: "user", content: "Once upon a time" }],
      max_tokens: 16,
    });
    expect(answer.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(await statusOf("proxied")).toBe("offline");
  });

  it("refuses a too-old protocol on both ends", async () => {
    await enrollAppliance("old");
    await start("old", { TEXTNLP_LINK_PROTOCOL: "1" });
    await waitUntil("old refused", async () => (await linkStatus("old")).link.status === "refused");
    expect((await linkStatus("old")).link.last_error).toMatch(/too old/);
    expect(await statusOf("old")).toBe("offline");
  });
});
