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

/** An exported span, as OTLP/JSON carries it, with its resource's `service.name`. */
export interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number };
}

/** OTLP span kinds and the error status code, as the JSON encoding numbers them. */
export const OTLP = { SERVER: 2, CLIENT: 3, STATUS_ERROR: 2 } as const;

type OtlpValue = Record<string, unknown>;
interface OtlpBody {
  resourceSpans: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans: {
      spans: (Omit<ExportedSpan, "service" | "attributes"> & {
        attributes: { key: string; value: OtlpValue }[];
      })[];
    }[];
  }[];
}

/** OTLP/JSON attributes as plain values (integers as numbers, arrays as arrays). */
function plain(attributes: { key: string; value: OtlpValue }[] = []): Record<string, unknown> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => {
      const array = value.arrayValue as { values: OtlpValue[] } | undefined;
      if (array) return [key, array.values.map((x) => Object.values(x)[0])];
      const raw = Object.values(value)[0];
      return [key, value.intValue === undefined ? raw : Number(raw)];
    }),
  );
}

/** The bodies `receiverUrl` got that mention `traceId`, as posted, and their spans of it. */
export async function exportedTrace(
  receiverUrl: string,
  traceId: string,
): Promise<{ bodies: string[]; spans: ExportedSpan[] }> {
  const res = await fetch(`${receiverUrl}/__traces?trace=${traceId}`);
  const bodies = (await res.json()) as string[];
  const spans = bodies.flatMap((body) =>
    (JSON.parse(body) as OtlpBody).resourceSpans.flatMap((r) => {
      const service = String(plain(r.resource?.attributes)["service.name"] ?? "");
      return r.scopeSpans.flatMap((s) =>
        s.spans.map((span) => ({ ...span, service, attributes: plain(span.attributes) })),
      );
    }),
  );
  return { bodies, spans: spans.filter((span) => span.traceId === traceId) };
}
