/**
 * The hybrid link end to end: the edge bundle in Miniflare (workerd, real D1 and Durable
 * Objects, listening on loopback) and real appliance processes on the tiny model that enrolled
 * with the CLI and dialled out to it. The official `openai` SDK talks to the edge only.
 */
import { createServer } from "node:http";
import { connect } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKeySecret, hashApiKey } from "../../shared/auth/api-keys.ts";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type EdgeWorker, startEdgeWorker } from "../helpers/edge.ts";

const SITE = "lab";
const DEADLINE_MS = 30_000;
/** Short backoff, so a restarted or dropped appliance redials at once. */
const LINK_ENV = {
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
    env: { ...LINK_ENV, ...env },
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

describe("the hybrid link, edge in workerd and real appliances", () => {
  let a: ApplianceProcess;
  let b: ApplianceProcess;

  beforeAll(async () => {
    edge = await startEdgeWorker({
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
    // A mixed-version pair: b speaks the protocol version before the current one.
    [a, b] = await Promise.all([start("a"), start("b", { TEXTNLP_LINK_PROTOCOL: "1" })]);
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
  });

  it("answers plain and streamed from site: models over a mixed-version pair", async () => {
    const rows = await siteAppliances();
    expect(rows.map((r) => r.protocol).sort()).toEqual([1, 2]);
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

  it("spreads concurrent load over both appliances", async () => {
    const before = [served(a), served(b)];
    const outs = await Promise.all(Array.from({ length: 8 }, () => streamed(48)));
    for (const out of outs) expect(out.error).toBeUndefined();
    await waitUntil("request logs", async () => served(a) + served(b) >= before[0] + before[1] + 8);
    expect(served(a)).toBeGreaterThan(before[0] as number);
    expect(served(b)).toBeGreaterThan(before[1] as number);
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
    await start("old", { TEXTNLP_LINK_PROTOCOL: "0" });
    await waitUntil("old refused", async () => (await linkStatus("old")).link.status === "refused");
    expect((await linkStatus("old")).link.last_error).toMatch(/too old/);
    expect(await statusOf("old")).toBe("offline");
  });
});
