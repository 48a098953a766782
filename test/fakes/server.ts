/**
 * The loopback HTTP server every provider fake runs on: 127.0.0.1 only, a random port, a call
 * counter per model (read at `GET /__calls`), the most requests per model it held at once (`GET
 * /__peak`), the last request per model (`GET /__last?key=`),
 * a tiny PNG at `GET /__image.png` (an image URL the gateway can fetch), the fixed latency a
 * model name asks for (`…lat50…`, scenario.ts) before any answer, and a lifetime after which it
 * closes by itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { fakeImagePath, tinyPngBase64 } from "./images.ts";
import { latencyOf } from "./scenario.ts";

/** A request as a fake handler sees it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  /** The request target and the body exactly as sent (what a signature covers). */
  rawUrl: string;
  rawBody: string;
}

/** Handles one request; `count(model)` returns how many calls that model name has had so far. */
export type FakeHandler = (
  req: FakeRequest,
  res: ServerResponse,
  count: (model: string) => number,
) => void | Promise<void>;

/** A running fake. */
export interface FakeServer {
  url: string;
  /** Calls per model name so far. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

/** Options of {@link startFakeServer}. */
export interface FakeServerOptions {
  /** Closes itself after this long even if nobody calls `close` (default 15 minutes). */
  lifetimeMs?: number;
}

/** Starts `handler` on a random loopback port. */
export async function startFakeServer(
  handler: FakeHandler,
  { lifetimeMs = 15 * 60_000 }: FakeServerOptions = {},
): Promise<FakeServer> {
  const calls = new Map<string, number>();
  const count = (model: string) => {
    const n = (calls.get(model) ?? 0) + 1;
    calls.set(model, n);
    return n;
  };
  const last = new Map<string, unknown>();
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/__calls") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Object.fromEntries(calls)));
      return;
    }
    if (url.pathname === "/__peak") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Object.fromEntries(peak)));
      return;
    }
    if (url.pathname === fakeImagePath) {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.from(tinyPngBase64, "base64"));
      return;
    }
    if (url.pathname === "/__last") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(last.get(url.searchParams.get("key") ?? "") ?? null));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> = {};
    try {
      // An OAuth token endpoint takes a form; every API takes JSON.
      const form = req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded");
      if (form) body = Object.fromEntries(new URLSearchParams(raw));
      else body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "invalid JSON body" } }));
      return;
    }
    // The last request per model name (body model, or the path's for Gemini, Azure and Bedrock), for tests that
    // check how the gateway translated a request.
    const key =
      typeof body.model === "string"
        ? body.model
        : (/models\/([^:]+):/.exec(url.pathname)?.[1] ??
          /deployments\/([^/]+)\//.exec(url.pathname)?.[1] ??
          decodeURIComponent(/^\/model\/([^/]+)\//.exec(url.pathname)?.[1] ?? ""));
    last.set(key, {
      method: req.method,
      path: url.pathname,
      search: url.search,
      headers: req.headers,
      body,
    });
    // Requests held at once per model, until each answer is sent (or its client goes away).
    const held = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, held);
    peak.set(key, Math.max(peak.get(key) ?? 0, held));
    res.once("close", () => inFlight.set(key, (inFlight.get(key) ?? 1) - 1));
    // A fixed latency steered by the model name (scenario.ts), before any answer, for every fake.
    const latency = latencyOf(key);
    if (latency > 0) await sleep(latency);
    try {
      await handler(
        {
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          rawUrl: req.url ?? "/",
          rawBody: raw,
        },
        res,
        count,
      );
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const timer = setTimeout(close, lifetimeMs);
  timer.unref();
  return { url: `http://127.0.0.1:${port}`, calls: () => Object.fromEntries(calls), close };
}
