/**
 * Storage round trips per inference request (D1, KV, Durable Object calls), counted on the
 * bindings for each configuration once the isolate is warm (the key and the limit overrides
 * cached): what the hot path costs beyond the provider call.
 */
import { describe, expect, it } from "vitest";
import { ROWS_PER_INSERT } from "../store/usage.ts";
import { startGateway } from "../test/gateway.ts";
import { countedBindings } from "../test/round-trips.ts";

let counter = 0;
const fresh = () => `openai/trips${++counter}`;

/** A gateway with counted bindings; `measure` runs one request and returns its round trips. */
function measured(bindings: Record<string, unknown> = {}) {
  const counted = countedBindings();
  const gateway = startGateway({
    policy: { retry: { attempts: 0 } },
    bindings: { ...counted.bindings, ...bindings },
  });
  const send = (body: Record<string, unknown>) =>
    gateway.call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
    });
  const measure = async (body: Record<string, unknown>, status = 200) => {
    const before = { ...counted.trips };
    const res = await send(body);
    expect(res.status).toBe(status);
    await res.text();
    return {
      d1: counted.trips.d1 - before.d1,
      kv: counted.trips.kv - before.kv,
      durableObject: counted.trips.durableObject - before.durableObject,
    };
  };
  return { send, measure, counted };
}

describe("storage round trips per request (warm isolate)", () => {
  it("key and metering: one D1 write (the usage row), nothing else", async () => {
    const { send, measure } = measured();
    await send({ model: fresh() });
    expect(await measure({ model: fresh() })).toEqual({ d1: 1, kv: 0, durableObject: 0 });
  });

  it("tenant provider keys on: opened once per isolate, not read on every request", async () => {
    const master = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const { send, measure } = measured({ PROVIDER_KEYS_SECRET: master });
    await send({ model: fresh() });
    expect(await measure({ model: fresh() })).toEqual({ d1: 1, kv: 0, durableObject: 0 });
  });

  it("calls metered at once share their usage statements", async () => {
    const { send, counted } = measured();
    await send({ model: fresh() });
    const before = counted.trips.d1;
    const calls = 3 * ROWS_PER_INSERT;
    const answers = await Promise.all(
      Array.from({ length: calls }, () => send({ model: fresh() })),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(calls).fill(200));
    // One statement per ROWS_PER_INSERT rows, give or take a window that closed between them.
    expect(counted.trips.d1 - before).toBeLessThanOrEqual(calls / 2);
  });

  it("a request that cannot be cached never reads KV; a cacheable one reads once, stores once", async () => {
    const { send, measure } = measured();
    await send({ model: fresh() });
    const model = fresh();
    expect(await measure({ model, temperature: 0 })).toEqual({ d1: 1, kv: 2, durableObject: 0 });
    expect(await measure({ model, temperature: 0 })).toEqual({ d1: 1, kv: 1, durableObject: 0 });
  });

  it("limits on key and tenant: one Durable Object call reserves, one settles", async () => {
    const limits = { key: { requests_per_minute: 1000 }, tenant: { tokens_per_minute: 1e6 } };
    const { send, measure } = measured({ LIMITS: limits });
    await send({ model: fresh() });
    expect(await measure({ model: fresh() })).toEqual({ d1: 1, kv: 0, durableObject: 2 });
  });

  it("every feature on: a cache hit reserves and settles once, an invalid body reaches no counter", async () => {
    const { send, measure } = measured({
      LIMITS: { key: { requests_per_minute: 1000 }, tenant: { tokens_per_minute: 1e6 } },
      GUARDRAILS: { pii: { action: "redact" }, injection: { action: "flag" } },
    });
    await send({ model: fresh() });
    const model = fresh();
    expect(await measure({ model, seed: 1 })).toEqual({ d1: 1, kv: 2, durableObject: 2 });
    expect(await measure({ model, seed: 1 })).toEqual({ d1: 1, kv: 1, durableObject: 2 });
    expect(await measure({ model, messages: [] }, 400)).toEqual({ d1: 1, kv: 0, durableObject: 0 });
  });
});
