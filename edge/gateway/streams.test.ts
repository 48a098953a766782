/**
 * Streams judged by each provider's terminal event: a socket cut mid-way, a stream that ends
 * cleanly without its terminal event, and an in-band error all reach the client as an error
 * event and never as `[DONE]`; a failure before any output falls back to the next target.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../routing/circuit-breaker.ts";
import { collect, fakeCalls, startGateway } from "../test/gateway.ts";

const providers = [
  "openai",
  "anthropic",
  "cohere",
  "mistral",
  "gemini",
  "azure",
  "ai21",
  "vertex",
  "bedrock",
] as const;
const messages = [{ role: "user" as const, content: "one two three four five six" }];

/** The raw SSE body the gateway sends for a streamed request. */
async function rawStream(call: ReturnType<typeof startGateway>["call"], model: string) {
  const res = await call("http://edge/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages, stream: true }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

describe.each(providers)("%s streams that do not complete", (provider) => {
  const { client, call } = startGateway({ policy: { retry: { attempts: 0 } } });

  it.each([
    ["cut", "upstream_stream_interrupted"],
    ["noterm", "upstream_stream_incomplete"],
    ["streamerr", "upstream_stream_error"],
  ])("%s mid-way: partial text, then an error event instead of [DONE]", async (scenario, code) => {
    const model = `${provider}/m-${scenario}`;
    const got = await collect(
      await client.chat.completions.create({ model, messages, stream: true }),
    );
    expect(got.text.startsWith(`Hello from ${provider}!`)).toBe(true);
    expect(got.text.length).toBeLessThan(
      `Hello from ${provider}! You said: ${messages[0].content}`.length,
    );
    expect(got.finishes).toEqual([]);
    expect(got.error).toBeInstanceOf(OpenAI.APIError);
    expect((got.error as { code?: string }).code).toBe(code);

    const raw = await rawStream(call, model);
    expect(raw).not.toContain("[DONE]");
    expect(raw.trimEnd().split("\n\n").at(-1)).toContain(`"code":"${code}"`);
  });
});

describe("a stream that stalls after output", () => {
  it("ends with a timeout error event once no event came within the target's timeout", async () => {
    const { client } = startGateway({ policy: { timeoutMs: 1_000, retry: { attempts: 0 } } });
    const got = await collect(
      await client.chat.completions.create({ model: "gemini/m-stall", messages, stream: true }),
    );
    expect(got.text.startsWith("Hello from gemini!")).toBe(true);
    expect((got.error as { code?: string }).code).toBe("upstream_stream_timeout");
  });
});

describe("a stream that stays open after its terminal event", () => {
  it("still ends cleanly with [DONE] shortly after the terminal event", async () => {
    const { client } = startGateway({ policy: { retry: { attempts: 0 } } });
    const got = await collect(
      await client.chat.completions.create({ model: "gemini/m-linger", messages, stream: true }),
    );
    expect(got.error).toBeUndefined();
    expect(got.finishes).toEqual(["stop"]);
    expect(got.text).toBe(`Hello from gemini! You said: ${messages[0].content}`);
  });
});

describe("stream failures before any output fall back", () => {
  it("moves to the next target on an error status or a timeout before the first chunk", async () => {
    const stamp = Date.now();
    const policy = {
      retry: { attempts: 0 },
      aliases: {
        chain: {
          targets: [
            { model: `openai/m-err500-${stamp}` },
            { model: `gemini/m-hang-${stamp}`, timeoutMs: 300 },
            { model: "cohere/command-ok" },
          ],
        },
      },
    };
    const { client } = startGateway({ policy });
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chain", messages, stream: true })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("cohere/command-ok");
    const got = await collect(stream);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(`Hello from cohere! You said: ${messages[0].content}`);
    expect((await fakeCalls("openai"))[`m-err500-${stamp}`]).toBe(1);
    expect((await fakeCalls("gemini"))[`m-hang-${stamp}`]).toBe(1);
  });

  it("does not fall back once output was sent: the client sees the cut, the breaker counts it", async () => {
    const breakerSettings = { failureThreshold: 1, cooldownMs: 60_000 };
    const policy = {
      retry: { attempts: 0 },
      circuitBreaker: breakerSettings,
      aliases: {
        chain: { targets: [{ model: "anthropic/m-cut" }, { model: "cohere/command-ok" }] },
      },
    };
    const breaker = new CircuitBreaker();
    const { client } = startGateway({ policy, deps: { breaker } });
    const { data: stream, response } = await client.chat.completions
      .create({ model: "chain", messages, stream: true })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("anthropic/m-cut");
    const got = await collect(stream);
    expect(got.text.startsWith("Hello from anthropic!")).toBe(true);
    expect((got.error as { code?: string }).code).toBe("upstream_stream_interrupted");
    expect(breaker.state("anthropic/m-cut", breakerSettings)).toBe("open");
  });

  it("treats a non-streamed answer cut mid-body as a failure that falls back", async () => {
    const policy = {
      retry: { attempts: 0 },
      aliases: { chain: { targets: [{ model: "mistral/m-cut" }, { model: "openai/gpt-ok" }] } },
    };
    const { client } = startGateway({ policy });
    const { data, response } = await client.chat.completions
      .create({ model: "chain", messages })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("openai/gpt-ok");
    expect(data.choices[0]?.message.content).toContain("Hello from openai");
  });
});
