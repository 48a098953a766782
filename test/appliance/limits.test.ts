import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  startAppliance,
  TINY_RANDOM_LONG_MODEL,
} from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";

// Random weights never end early, and a 32,768-token generation outlasts the 400 ms timeout on
// any CPU (2,048 tokens do not on a fast one).
const model = "tiny-random-long";

describe("request timeout and CORS", () => {
  let appliance: ApplianceProcess;

  beforeAll(async () => {
    appliance = await startAppliance({
      args: ["--model", TINY_RANDOM_LONG_MODEL],
      env: {
        TEXTNLP_REQUEST_TIMEOUT_MS: "400",
        TEXTNLP_CONTEXT_SIZE: "32768",
        TEXTNLP_SEQUENCES: "2",
        TEXTNLP_CORS_ORIGINS: "http://panel.example",
      },
    });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("ends a request that outlasts its timeout with 504, and a stream with an error event, never [DONE]", async () => {
    const body = {
      model,
      messages: [{ role: "user" as const, content: "go" }],
      max_tokens: 32_000,
    };
    expectEnvelope(
      await raw(`${appliance.url}/v1/chat/completions`, { method: "POST", json: body }),
      504,
      { code: "timeout" },
    );

    const res = await fetch(`${appliance.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    const events = text.split("\n\n").filter(Boolean);
    expect(JSON.parse((events.at(-1) as string).replace(/^data: /, ""))).toMatchObject({
      error: { code: "timeout" },
    });
    // The SDK surfaces the in-band error instead of a clean end.
    const client = new OpenAI({ baseURL: `${appliance.url}/v1`, apiKey: "open", maxRetries: 0 });
    await expect(
      (async () => {
        for await (const _ of await client.chat.completions.create({ ...body, stream: true })) {
          // drain
        }
      })(),
    ).rejects.toThrow(/timed out/);
  });

  it("answers CORS preflights for configured origins only", async () => {
    const preflight = (origin: string) =>
      fetch(`${appliance.url}/v1/models`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      });
    const allowed = await preflight("http://panel.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://panel.example");
    const other = await preflight("http://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("returns the request id it was given, or a new one", async () => {
    const given = await fetch(`${appliance.url}/health`, {
      headers: { "x-request-id": "abc-123" },
    });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await fetch(`${appliance.url}/health`);
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
