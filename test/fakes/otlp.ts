/**
 * A loopback OTLP/HTTP receiver (JSON encoding) for the tracing tests: it keeps every body
 * posted to `/v1/traces` and serves them back, as posted, at `GET /__traces?trace=<id>` (those
 * that mention that trace id), so a test can both read the spans and search the exported text
 * for planted secrets. 127.0.0.1 only; closes by itself (test/fakes/server.ts).
 */
import { type FakeServer, startFakeServer } from "./server.ts";

/** Starts the receiver. */
export function startOtlpReceiver(): Promise<FakeServer> {
  const posted: string[] = [];
  return startFakeServer((req, res) => {
    if (req.method === "POST" && req.path === "/v1/traces") {
      posted.push(req.rawBody);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
      return;
    }
    if (req.method === "GET" && req.path === "/__traces") {
      const trace = req.query.get("trace") ?? "";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(posted.filter((body) => trace && body.includes(trace))));
      return;
    }
    res.writeHead(404).end();
  });
}
