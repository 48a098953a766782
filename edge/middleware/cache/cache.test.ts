/**
 * The response cache in workerd with real KV and D1, driven by the official `openai` SDK: hits
 * call no provider, misses and bypasses do, errors and incomplete streams are never stored,
 * tenants never share entries, and a streamed answer replays with the same content.
 */
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { collect, fakeCalls, gatewayClient, seedApiKey, startGateway } from "../../test/gateway.ts";
import { cacheKey, normaliseRequest } from "./key.ts";

const policy = { retry: { attempts: 0 } };

/** A model name no other test uses, so the fake's call counter is this test's own. */
let counter = 0;
const fresh = (provider: string, scenario = "") =>
  `${provider}/cache${++counter}${scenario ? `-${scenario}` : ""}`;

async function upstreamCalls(model: string): Promise<number> {
  const [provider, name] = model.split("/") as [string, string];
  return (await fakeCalls(provider))[name] ?? 0;
}

async function cacheRows(model: string) {
  const { results } = await env.DB.prepare(
    "SELECT cache_status, prompt_tokens, completion_tokens, status FROM usage_events WHERE model = ? ORDER BY created_at, rowid",
  )
    .bind(model)
    .all<{
      cache_status: string;
      prompt_tokens: number;
      completion_tokens: number;
      status: number;
    }>();
  return results;
}

const hi = [{ role: "user" as const, content: "cache me" }];

describe("the cache key", () => {
  const base = { model: "m", messages: [{ role: "user", content: "x" }], temperature: 0 };

  it("ignores key order, nulls, spelled-out defaults and delivery-only fields", async () => {
    const key = await cacheKey("t", "chat", base);
    const same = {
      temperature: 0,
      top_p: 1,
      n: 1,
      seed: null,
      messages: [{ content: "x", role: "user" }],
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      user: "u1",
    };
    expect(await cacheKey("t", "chat", same)).toBe(key);
    expect(normaliseRequest("chat", same)).toEqual(normaliseRequest("chat", base));
  });

  it("differs by tenant, route and anything that changes the answer", async () => {
    const key = await cacheKey("t", "chat", base);
    expect(await cacheKey("t2", "chat", base)).not.toBe(key);
    expect(await cacheKey("t", "completions", base)).not.toBe(key);
    expect(await cacheKey("t", "chat", { ...base, max_tokens: 5 })).not.toBe(key);
    expect(await cacheKey("t", "chat", { ...base, top_p: 0.5 })).not.toBe(key);
  });
});

describe("the response cache", () => {
  it("misses, then hits without calling the provider again; usage records both", async () => {
    const { client, settled } = startGateway({ policy });
    const model = fresh("openai");
    const first = await client.chat.completions
      .create({ model, messages: hi, temperature: 0 })
      .withResponse();
    expect(first.response.headers.get("x-textnlp-cache")).toBe("miss");
    // Spelling out a default (n: 1) or naming a user does not change the key.
    const second = await client.chat.completions
      .create({ model, messages: hi, temperature: 0, n: 1, user: "someone" })
      .withResponse();
    expect(second.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(second.response.headers.get("x-textnlp-target")).toBe(model);
    expect(second.data).toEqual(first.data);
    expect(await upstreamCalls(model)).toBe(1);
    await settled();
    const rows = await cacheRows(model);
    expect(rows.map((r) => r.cache_status)).toEqual(["miss", "hit"]);
    expect(rows[0]?.prompt_tokens).toBeGreaterThan(0);
    // A hit spent no upstream tokens.
    expect(rows[1]).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, status: 200 });
  });

  it("bypasses non-deterministic requests and requests that opt out", async () => {
    const { client } = startGateway({ policy });
    const model = fresh("openai");
    const sampled = { model, messages: hi, temperature: 0.7 };
    for (let i = 0; i < 2; i++) {
      const { response } = await client.chat.completions.create(sampled).withResponse();
      expect(response.headers.get("x-textnlp-cache")).toBe("bypass");
    }
    expect(await upstreamCalls(model)).toBe(2);

    const seeded = { model, messages: hi, seed: 42 };
    await client.chat.completions.create(seeded);
    for (const headers of [{ "x-textnlp-cache": "no-store" }, { "cache-control": "no-store" }]) {
      const { response } = await client.chat.completions.create(seeded, { headers }).withResponse();
      expect(response.headers.get("x-textnlp-cache")).toBe("bypass");
    }
    expect(await upstreamCalls(model)).toBe(5);
    // Refresh skips the lookup and stores the new answer.
    const refreshed = await client.chat.completions
      .create(seeded, { headers: { "x-textnlp-cache": "refresh" } })
      .withResponse();
    expect(refreshed.response.headers.get("x-textnlp-cache")).toBe("miss");
    expect(await upstreamCalls(model)).toBe(6);
    const { response } = await client.chat.completions.create(seeded).withResponse();
    expect(response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(await upstreamCalls(model)).toBe(6);
  });

  it("never stores an error: an upstream 500, then a success that is stored", async () => {
    const { client } = startGateway({ policy });
    const model = fresh("openai", "flaky500x1");
    const request = { model, messages: hi, temperature: 0 };
    const err = await client.chat.completions.create(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const ok = await client.chat.completions.create(request).withResponse();
    expect(ok.response.headers.get("x-textnlp-cache")).toBe("miss");
    expect(ok.data.choices[0]?.message.content).toBe("Hello from openai! You said: cache me");
    const hit = await client.chat.completions.create(request).withResponse();
    expect(hit.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(await upstreamCalls(model)).toBe(2);
  });

  it("keeps tenants apart: the same request of another tenant misses", async () => {
    const { client, callRaw } = startGateway({ policy });
    const other = await seedApiKey(["*"], "tenant-cache-b");
    const otherClient = gatewayClient(other.secret, callRaw);
    const model = fresh("anthropic");
    const request = { model, messages: hi, temperature: 0 };
    const a = await client.chat.completions.create(request).withResponse();
    const b = await otherClient.chat.completions.create(request).withResponse();
    expect(a.response.headers.get("x-textnlp-cache")).toBe("miss");
    expect(b.response.headers.get("x-textnlp-cache")).toBe("miss");
    const again = await otherClient.chat.completions.create(request).withResponse();
    expect(again.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(await upstreamCalls(model)).toBe(2);
  });

  it("stores a complete stream and replays it, plain or streamed, with the same content", async () => {
    const { client, call, settled } = startGateway({ policy });
    const model = fresh("gemini");
    const request = { model, messages: hi, seed: 3 };
    const original = await collect(
      await client.chat.completions.create({ ...request, stream: true }),
    );
    await settled();
    expect(original.error).toBeUndefined();
    expect(original.text).toBe("Hello from gemini! You said: cache me");

    const replayed = await collect(
      await client.chat.completions.create({
        ...request,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(replayed).toMatchObject({ text: original.text, finishes: ["stop"], error: undefined });
    expect(replayed.usage?.completion_tokens).toBeGreaterThan(0);
    const plain = await client.chat.completions.create(request).withResponse();
    expect(plain.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(plain.data.choices[0]?.message.content).toBe(original.text);
    expect(await upstreamCalls(model)).toBe(1);

    // On the wire: OpenAI chunks, a finish reason, then [DONE].
    const raw = await call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...request, stream: true }),
    });
    expect(raw.headers.get("x-textnlp-cache")).toBe("hit");
    const events = (await raw.text()).trim().split("\n\n");
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(events.at(-2)).toContain('"finish_reason":"stop"');
  });

  it("replays a tool call from cache as the stream first carried it", async () => {
    const { client, settled } = startGateway({ policy });
    const model = fresh("openai", "tool");
    const request = { model, messages: hi, temperature: 0 };
    const streamed = await collect(
      await client.chat.completions.create({ ...request, stream: true }),
    );
    await settled();
    const plain = await client.chat.completions.create(request).withResponse();
    expect(plain.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(plain.data.choices[0]?.finish_reason).toBe("tool_calls");
    const call = plain.data.choices[0]?.message.tool_calls?.[0];
    expect(call).toMatchObject({ id: "call_fake1", type: "function" });
    expect(JSON.parse((call as { function: { arguments: string } }).function.arguments)).toEqual({
      city: "Paris",
    });
    expect(streamed.finishes).toEqual(["tool_calls"]);
    expect(await upstreamCalls(model)).toBe(1);
  });

  it("does not store a stream that ended without its terminal event", async () => {
    const { client, settled } = startGateway({ policy });
    const model = fresh("openai", "noterm");
    const request = { model, messages: hi, temperature: 0, stream: true as const };
    for (let i = 0; i < 2; i++) {
      const got = await collect(await client.chat.completions.create(request));
      expect(got.error).toBeInstanceOf(OpenAI.APIError);
      await settled();
    }
    expect(await upstreamCalls(model)).toBe(2);
  });

  it("does not store a stream the client abandoned", async () => {
    const { call, settled } = startGateway({ policy });
    const model = fresh("openai");
    const send = () =>
      call("http://edge/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages: hi, temperature: 0, stream: true }),
      });
    const first = await send();
    expect(first.headers.get("x-textnlp-cache")).toBe("miss");
    const reader = (first.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    await settled();
    const second = await send();
    expect(second.headers.get("x-textnlp-cache")).toBe("miss");
    expect(await second.text()).toContain("data: [DONE]");
    await settled();
    expect(await upstreamCalls(model)).toBe(2);
  });

  it("caches legacy completions (streamed replay too) and embeddings", async () => {
    const { client, settled } = startGateway({ policy });
    const model = fresh("openai");
    const request = { model, prompt: "Once upon", max_tokens: 8, temperature: 0 };
    const plain = await client.completions.create(request);
    let text = "";
    let finish: string | null = null;
    for await (const chunk of await client.completions.create({ ...request, stream: true })) {
      text += chunk.choices[0]?.text ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    await settled();
    expect(text).toBe(plain.choices[0]?.text);
    expect(finish).toBe(plain.choices[0]?.finish_reason);
    expect(await upstreamCalls(model)).toBe(1);

    const embedModel = fresh("cohere");
    const first = await client.embeddings.create({ model: embedModel, input: "ab" });
    const again = await client.embeddings.create({ model: embedModel, input: "ab" }).withResponse();
    expect(again.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(again.data.data[0]?.embedding).toEqual(first.data[0]?.embedding);
    expect(await upstreamCalls(embedModel)).toBe(1);
  });

  it("serves no hit to a request the route would refuse", async () => {
    const { client } = startGateway({ policy });
    const model = fresh("openai");
    const request = { model, messages: hi, temperature: 0 };
    await client.chat.completions.create(request);
    const err = await client.chat.completions
      .create({ ...request, user: "u".repeat(300) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
  });

  it("honours a TTL of 0 (not stored) and refuses a malformed TTL with a 400", async () => {
    const { client } = startGateway({ policy });
    const model = fresh("openai");
    const request = { model, messages: hi, temperature: 0 };
    for (let i = 0; i < 2; i++) {
      const { response } = await client.chat.completions
        .create(request, { headers: { "x-textnlp-cache-ttl": "0" } })
        .withResponse();
      // Looked up (a miss), but not stored.
      expect(response.headers.get("x-textnlp-cache")).toBe("miss");
    }
    expect(await upstreamCalls(model)).toBe(2);
    const err = await client.chat.completions
      .create(request, { headers: { "x-textnlp-cache-ttl": "soon" } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "invalid_cache_ttl" });
  });
});
