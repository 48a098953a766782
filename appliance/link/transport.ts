/**
 * How the appliance reaches the edge from behind a firewall: an outbound HTTP(S) proxy when
 * configured (CONNECT through `https-proxy-agent`) and extra trusted CA certificates. Both the
 * enrollment call and the WebSocket go through here.
 */
import { readFileSync } from "node:fs";
import type { Agent } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { HttpsProxyAgent } from "https-proxy-agent";
import { LINK_PATHS } from "../../shared/protocol/index.ts";
import type { Config } from "../config.ts";

/** Options for every outbound connection to the edge. */
export interface EdgeTransport {
  agent?: Agent;
  /** Extra CA certificates (PEM), on top of Node's own. */
  ca?: string[];
}

/** Builds the transport from the link's configuration. */
export function edgeTransport(link: Config["link"]): EdgeTransport {
  const ca = link.caFile ? [readFileSync(link.caFile, "utf8")] : undefined;
  // The CA must reach the TLS connection the agent opens to the edge (through the tunnel).
  const agent = link.proxy ? new HttpsProxyAgent(link.proxy, ca ? { ca } : {}) : undefined;
  return { agent, ca };
}

/** Normalises an edge URL (`https://edge.example/`) to its origin, or throws a clear error. */
export function edgeOrigin(edgeUrl: string): URL {
  let url: URL;
  try {
    url = new URL(edgeUrl);
  } catch {
    throw new Error(`'${edgeUrl}' is not a URL (expected https://your-edge.example)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`'${edgeUrl}' must be an http(s) URL`);
  }
  return new URL(url.origin);
}

/** The WebSocket URL an enrolled appliance dials. */
export function linkUrl(edgeUrl: string): string {
  const url = new URL(LINK_PATHS.connect, edgeOrigin(edgeUrl));
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** POSTs JSON to the edge through the transport; resolves with status and parsed body. */
export function postJson(
  url: URL,
  body: unknown,
  transport: EdgeTransport,
  timeoutMs = 30_000,
): Promise<{ status: number; body: unknown }> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        agent: transport.agent,
        ...(transport.ca && url.protocol === "https:" ? { ca: transport.ca } : {}),
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
        timeout: timeoutMs,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: keep the text for the error message.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`no answer from the edge within ${timeoutMs} ms`)),
    );
    req.on("error", reject);
    req.end(payload);
  });
}
