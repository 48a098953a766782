/**
 * Routing through the gateway in workerd against the loopback fakes: fallback and retry chains
 * (Retry-After honoured through an injected sleep), timeouts, weighted picks (injected random),
 * and the circuit breaker opening and closing on an injected clock.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { fakeCalls, startGateway } from "../test/gateway.ts";
import { CircuitBreaker } from "./circuit-breaker.ts";

const user = [{ role: "user" as const, content: "route me" }];
let unique = 0;
/** A model name no other test uses, so the fakes' per-name counters start at zero. */
const fresh = (scenario: string) => `m-${scenario}-${Date.now()}-${unique++}`;

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("fallback and retry chains", () => {
  it("retries a 429 on the same target, waiting at least Retry-After, then answers", async () => {
    const { waits, sleep } = recordingSleep();
    const { client } = startGateway({ deps: { sleep, random: () => 0 } });
    const model = fresh("flaky429x2ra3");
    const { data, response } = await client.chat.completions
      .create({ model: `openai/${model}`, messages: user })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain("Hello from openai");
    expect(response.headers.get("x-textnlp-target")).toBe(`openai/${model}`);
    expect((await fakeCalls("openai"))[model]).toBe(3);
    expect(waits).toEqual([3000, 3000]);
  });

  it("backs off exponentially without Retry-After and gives up after the policy's attempts", async () => {
    const { waits, sleep } = recordingSleep();
    const { client } = startGateway({
      deps: { sleep, random: () => 1 },
      policy: { retry: { attempts: 3, baseDelayMs: 100, on: [500] } },
    });
    const model = fresh("err500");
    const err = await client.chat.completions
      .create({ model: `cohere/${model}`, messages: user })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(502);
    expect(err.message).toContain("cohere: Fake cohere error 500");
    expect((await fakeCalls("cohere"))[model]).toBe(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it("falls back along an alias chain on the chosen statuses and names the target that answered", async () => {
    const { waits, sleep } = recordingSleep();
    const first = fresh("err503");
    const second = fresh("err500");
    const policy = {
      aliases: {
        smart: {
          targets: [
            { model: `openai/${first}` },
            { model: `gemini/${second}` },
            { model: "anthropic/claude-ok" },
          ],
          retry: { attempts: 1, on: [503] },
        },
      },
    };
    const { client } = startGateway({ policy, deps: { sleep, random: () => 0 } });
    const { data, response } = await client.chat.completions
      .create({ model: "smart", messages: user })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("anthropic/claude-ok");
    expect(data.model).toBe("anthropic/claude-ok");
    expect(data.choices[0]?.message.content).toBe("Hello from anthropic! You said: route me");
    expect((await fakeCalls("openai"))[first]).toBe(2); // one retry on 503
    expect((await fakeCalls("gemini"))[second]).toBe(1); // 500 is not in this chain's retry list
    expect(waits).toHaveLength(1);

    // The alias is listed among the models.
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toContain("smart");
  });

  it("does not fall back on a status outside the chain's triggers, nor wait for a too-long Retry-After", async () => {
    const { waits, sleep } = recordingSleep();
    const bad = fresh("err400");
    const slow = fresh("err429ra60");
    const policy = {
      aliases: {
        strict: { targets: [{ model: `mistral/${bad}` }, { model: "openai/gpt-ok" }] },
        patient: { targets: [{ model: `mistral/${slow}` }, { model: "openai/gpt-ok" }] },
      },
    };
    const { client } = startGateway({ policy, deps: { sleep } });
    const err = await client.chat.completions
      .create({ model: "strict", messages: user })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain("mistral: Fake mistral error 400");

    const { response } = await client.chat.completions
      .create({ model: "patient", messages: user })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("openai/gpt-ok");
    expect((await fakeCalls("mistral"))[slow]).toBe(1);
    expect(waits).toEqual([]);
  });

  it("answers a refused provider key with 502, not the client's 401", async () => {
    const { client } = startGateway({ bindings: { OPENAI_API_KEY: "sk-wrong" } });
    const err = await client.chat.completions
      .create({ model: "openai/gpt-4o-mini", messages: user })
      .catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.code).toBe("upstream_auth_failed");
  });

  it("falls back when a target does not answer within its timeout", async () => {
    const hang = fresh("hang");
    const policy = {
      aliases: {
        quick: { targets: [{ model: `openai/${hang}`, timeoutMs: 300 }, { model: "mistral/ok" }] },
      },
    };
    const { client } = startGateway({ policy });
    const { response } = await client.chat.completions
      .create({ model: "quick", messages: user })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("mistral/ok");

    const direct = startGateway({ policy: { timeoutMs: 300, retry: { attempts: 0 } } }).client;
    const err = await direct.chat.completions
      .create({ model: `openai/${hang}`, messages: user })
      .catch((e) => e);
    expect(err.status).toBe(504);
    expect(err.code).toBe("upstream_timeout");
  });

  it("picks by weight with the injected random source, the others becoming fallbacks", async () => {
    const policy = {
      aliases: {
        mix: {
          strategy: "weighted",
          targets: [
            { model: "openai/gpt-a", weight: 3 },
            { model: "mistral/mistral-b", weight: 1 },
          ],
        },
      },
    };
    const pick = async (r: number) => {
      const { client } = startGateway({ policy, deps: { random: () => r } });
      const { response } = await client.chat.completions
        .create({ model: "mix", messages: user })
        .withResponse();
      return response.headers.get("x-textnlp-target");
    };
    expect(await pick(0.1)).toBe("openai/gpt-a");
    expect(await pick(0.74)).toBe("openai/gpt-a");
    expect(await pick(0.76)).toBe("mistral/mistral-b");
  });
});

describe("cheapest-first", () => {
  it("picks the cheapest target whose context fits the request, the others as fallbacks", async () => {
    const policy = {
      aliases: {
        tiny: { strategy: "cheapest", targets: [{ model: "openai/tiny", contextTokens: 50 }] },
        thrifty: {
          strategy: "cheapest",
          targets: [
            { model: "openai/pricey", inputPerMillion: 5, outputPerMillion: 15 },
            {
              model: "mistral/small-window",
              inputPerMillion: 0.1,
              outputPerMillion: 0.3,
              contextTokens: 2_000,
            },
            { model: "gemini/middle", inputPerMillion: 0.3, outputPerMillion: 2.5 },
          ],
        },
      },
    };
    const { client } = startGateway({ policy });
    const target = async (content: string, maxTokens: number) => {
      const { response } = await client.chat.completions
        .create({ model: "thrifty", messages: [{ role: "user", content }], max_tokens: maxTokens })
        .withResponse();
      return response.headers.get("x-textnlp-target");
    };
    expect(await target("short question", 100)).toBe("mistral/small-window");
    // ~2,500 prompt tokens no longer fit the cheapest model's 2,000-token window.
    expect(await target("x".repeat(10_000), 100)).toBe("gemini/middle");
    const tooBig = await client.chat.completions
      .create({ model: "tiny", messages: [{ role: "user", content: "hello" }], max_tokens: 100 })
      .catch((e) => e);
    expect(tooBig).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooBig.code).toBe("context_length_exceeded");
  });
});

describe("circuit breaker (injected clock)", () => {
  it("opens after consecutive failures, skips the target, probes after the cooldown, closes on success", async () => {
    let now = 1_000_000;
    const model = fresh("flaky500x3");
    const policy = {
      retry: { attempts: 0 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 10_000 },
      aliases: {
        guarded: { targets: [{ model: `openai/${model}` }, { model: "anthropic/backup" }] },
      },
    };
    const { client } = startGateway({ policy, deps: { now: () => now } });
    const target = async () => {
      const { response } = await client.chat.completions
        .create({ model: "guarded", messages: user })
        .withResponse();
      return response.headers.get("x-textnlp-target");
    };
    const openaiCalls = async () => (await fakeCalls("openai"))[model] ?? 0;

    expect(await target()).toBe("anthropic/backup"); // failure 1
    expect(await target()).toBe("anthropic/backup"); // failure 2: open
    expect(await openaiCalls()).toBe(2);
    expect(await target()).toBe("anthropic/backup"); // skipped while open
    expect(await openaiCalls()).toBe(2);

    const direct = await client.chat.completions
      .create({ model: `openai/${model}`, messages: user })
      .catch((e) => e);
    expect(direct.status).toBe(503);
    expect(direct.code).toBe("circuit_open");
    expect(direct.headers.get("retry-after")).toBe("10");

    now += 9_999;
    expect(await target()).toBe("anthropic/backup");
    expect(await openaiCalls()).toBe(2); // still open one millisecond before the cooldown ends

    now += 1;
    expect(await target()).toBe("anthropic/backup"); // the probe fails (3rd failure): open again
    expect(await openaiCalls()).toBe(3);
    expect(await target()).toBe("anthropic/backup");
    expect(await openaiCalls()).toBe(3);

    now += 10_000;
    expect(await target()).toBe(`openai/${model}`); // the probe succeeds: closed
    expect(await target()).toBe(`openai/${model}`);
    expect(await openaiCalls()).toBe(5);
  });
});

describe("CircuitBreaker", () => {
  it("lets a single probe through when half-open", () => {
    let now = 0;
    const breaker = new CircuitBreaker(() => now);
    const settings = { failureThreshold: 1, cooldownMs: 100 };
    breaker.failure("t", settings);
    expect(breaker.state("t", settings)).toBe("open");
    expect(breaker.allow("t", settings)).toBe(false);
    now = 100;
    expect(breaker.state("t", settings)).toBe("half_open");
    expect(breaker.allow("t", settings)).toBe(true);
    expect(breaker.allow("t", settings)).toBe(false); // the probe is still out
    breaker.success("t");
    expect(breaker.state("t", settings)).toBe("closed");
    expect(breaker.allow("t", settings)).toBe(true);
  });
});
