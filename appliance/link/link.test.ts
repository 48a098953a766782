import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { ApplianceMetrics } from "../metrics/metrics.ts";
import { reconnectDelay } from "./backoff.ts";
import { LinkClient } from "./client.ts";
import { linkUrl } from "./transport.ts";

describe("link reconnect backoff", () => {
  const limits = { baseMs: 100, maxMs: 1000 };

  it("doubles from the base up to the cap, jittered within the upper half", () => {
    expect(reconnectDelay(0, limits, () => 0)).toBe(50);
    expect(reconnectDelay(0, limits, () => 1)).toBe(100);
    expect(reconnectDelay(2, limits, () => 1)).toBe(400);
    expect(reconnectDelay(10, limits, () => 0)).toBe(500);
    expect(reconnectDelay(1000, limits, () => 1)).toBe(1000);
  });
});

describe("link settings", () => {
  it("derives the WebSocket URL from the edge URL", () => {
    expect(linkUrl("https://edge.example/some/path")).toBe("wss://edge.example/link/v1/connect");
    expect(linkUrl("http://127.0.0.1:8787")).toBe("ws://127.0.0.1:8787/link/v1/connect");
    expect(() => linkUrl("ftp://edge.example")).toThrow(/http/);
    expect(() => linkUrl("edge.example")).toThrow(/not a URL/);
  });

  it("reads proxy, CA file, backoff and protocol from the environment", () => {
    const config = loadConfig(
      {},
      {
        TEXTNLP_LINK_PROXY: "http://proxy.internal:3128",
        TEXTNLP_LINK_CA_FILE: "certs/extra.pem",
        TEXTNLP_LINK_BACKOFF_BASE_MS: "50",
        TEXTNLP_LINK_BACKOFF_MAX_MS: "400",
        TEXTNLP_LINK_PROTOCOL: "2",
      },
    );
    expect(config.link).toMatchObject({
      enabled: true,
      proxy: "http://proxy.internal:3128",
      backoffBaseMs: 50,
      backoffMaxMs: 400,
      protocolVersion: 2,
    });
    expect(config.link.caFile).toMatch(/\/certs\/extra\.pem$/);
    expect(() => loadConfig({}, { TEXTNLP_LINK_PROXY: "not a url" })).toThrow(/link\.proxy/);
    expect(() =>
      loadConfig({}, { TEXTNLP_LINK_BACKOFF_BASE_MS: "500", TEXTNLP_LINK_BACKOFF_MAX_MS: "100" }),
    ).toThrow(/backoffMaxMs/);
  });
});

describe("link metrics", () => {
  it("says the link is enabled from start to stop, so the link-down alert applies", async () => {
    const metrics = new ApplianceMetrics();
    const gauge = async (name: string) =>
      Number((await metrics.scrape()).body.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1]);
    const client = new LinkClient({
      // Nothing listens on port 1: the client keeps redialling until stopped.
      edgeUrl: "http://127.0.0.1:1",
      applianceId: "app_test",
      credential: "secret",
      link: loadConfig({}, {}).link,
      version: "0.0.0",
      logger: pino({ level: "silent" }),
      serve: async () => new Response(null, { status: 204 }),
      inventory: () => ({ models: [], capacity: 1, load: { active: 0, queued: 0 } }),
      metrics,
    });
    expect(await gauge("textnlp_link_enabled")).toBe(0);
    client.start();
    expect(await gauge("textnlp_link_enabled")).toBe(1);
    expect(await gauge("textnlp_link_connected")).toBe(0);
    await client.stop();
    expect(await gauge("textnlp_link_enabled")).toBe(0);
  });
});
