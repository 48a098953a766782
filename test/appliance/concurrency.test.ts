import OpenAI from "openai";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";
import { selfSignedCertificate } from "../helpers/tls.ts";

// Random weights over a 32,000-token vocabulary: it (practically) never ends a generation early,
// so requests stay busy for exactly max_tokens.
const model = "tiny-random";
const longChat = {
  model,
  messages: [{ role: "user" as const, content: "Tell a long story" }],
  max_tokens: 1500,
  temperature: 1,
};

async function load(url: string) {
  const health = await raw(`${url}/health`);
  return (health.body.load as { active: number; queued: number }[] | undefined)?.[0];
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("pool, queue, cancellation and shutdown", () => {
  let appliance: ApplianceProcess;

  beforeAll(async () => {
    appliance = await startAppliance({
      args: ["--model", TINY_RANDOM_MODEL],
      env: { TEXTNLP_SEQUENCES: "2", TEXTNLP_QUEUE_SIZE: "3" },
    });
    // Load the model first so every request below meets a ready pool.
    await raw(`${appliance.url}/v1/chat/completions`, {
      method: "POST",
      json: { ...longChat, max_tokens: 1 },
    });
  });
  afterAll(async () => {
    await appliance?.stop("SIGKILL");
    appliance?.cleanup();
  });

  it("with 2 sequences and a queue of 3, 10 parallel requests get exactly 5 × 429 with Retry-After", async () => {
    // Each generation outlasts the time it takes all 10 requests to arrive.
    const body = { ...longChat, max_tokens: 300 };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        raw(`${appliance.url}/v1/chat/completions`, { method: "POST", json: body }),
      ),
    );
    const refused = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expectEnvelope(r, 429, { code: "queue_full", type: "rate_limit_error" });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("an aborted stream frees its sequence: the generation stops far short of max_tokens", async () => {
    const client = new OpenAI({ baseURL: `${appliance.url}/v1`, apiKey: "open", maxRetries: 0 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { ...longChat, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    for await (const _ of stream) {
      if (++chunks === 3) {
        controller.abort();
        break;
      }
    }
    expect(chunks).toBe(3);
    await waitFor("sequence release", async () =>
      (await load(appliance.url))?.active === 0 ? true : undefined,
    );
    const line = await waitFor("the request's log line", async () =>
      appliance.logs.find((l) => l.msg === "request" && l.cancelled === true),
    );
    expect(line.completionTokens as number).toBeLessThan(1500);
    // The freed sequence serves the next request.
    const next = await client.chat.completions.create({
      ...longChat,
      max_tokens: 5,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(next.choices[0]?.finish_reason).toBe("length");
  });

  it("SIGTERM drains: an in-flight request completes and the process exits 0", async () => {
    const inFlight = raw(`${appliance.url}/v1/chat/completions`, {
      method: "POST",
      json: { ...longChat, max_tokens: 400 },
    });
    await waitFor("generation start", async () =>
      (await load(appliance.url))?.active === 1 ? true : undefined,
    );
    const exited = appliance.stop("SIGTERM");
    await waitFor("draining", async () =>
      appliance.logs.some((l) => l.msg === "draining in-flight requests") ? true : undefined,
    );
    const done = await inFlight;
    expect(done.status).toBe(200);
    expect((done.body.usage as { completion_tokens: number }).completion_tokens).toBe(400);
    expect(await exited).toBe(0);
    expect(appliance.logs.some((l) => l.msg === "stopped")).toBe(true);
  });
});

describe("binding and TLS", () => {
  it("refuses to listen beyond loopback without an API key, and says how to fix it", async () => {
    const dir = tempDataDir();
    const res = await runCli([
      "serve",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--data-dir",
      dir,
      "--model",
      STORIES_MODEL,
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without API keys.*keys create/);
  });

  it("serves HTTPS with the configured certificate", async () => {
    const { cert, key } = selfSignedCertificate();
    const appliance = await startAppliance({
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_TLS_CERT: cert, TEXTNLP_TLS_KEY: key },
    });
    try {
      expect(appliance.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
      const res = await undiciFetch(`${appliance.url}/health`, { dispatcher });
      expect(res.status).toBe(200);
      await expect(fetch(`${appliance.url.replace("https", "http")}/health`)).rejects.toThrow();
    } finally {
      await appliance.stop();
      appliance.cleanup();
    }
  });
});
