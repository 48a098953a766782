/**
 * The inference pipeline in workerd with every feature on (limits in real Durable Objects, the
 * response cache in real KV, guardrails, metering in real D1), driven by the official `openai`
 * SDK: each request's body is parsed once, whatever the steps do with it; a redaction is what
 * the provider and the cache see; and every call is metered except the limits' own refusals.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../shared/api/errors.ts";
import { parseInference } from "../inference/request.ts";
import { collect, fakeCalls, fakeReceived, startGateway } from "../test/gateway.ts";

const EMAIL = "jane.doe@example.com";

let counter = 0;
const fresh = () => `pipe${++counter}`;

/** A gateway with limits, cache and redacting guardrails, counting the bodies it parses. */
function fullGateway(limits: Record<string, unknown> = { key: { requests_per_minute: 1000 } }) {
  const parsed: string[] = [];
  const gateway = startGateway({
    policy: { retry: { attempts: 0 } },
    bindings: { LIMITS: limits, GUARDRAILS: { pii: { action: "redact" } } },
    deps: { onBodyParsed: (route) => parsed.push(route) },
  });
  return { ...gateway, parsed };
}

async function usageRows(model: string) {
  const { results } = await env.DB.prepare(
    "SELECT status, cache_status, guardrails FROM usage_events WHERE model = ? ORDER BY created_at, rowid",
  )
    .bind(model)
    .all<{ status: number; cache_status: string; guardrails: string | null }>();
  return results;
}

describe("the inference pipeline", () => {
  it("parses each request's body once, through limits, guardrails, cache and the relay", async () => {
    const { client, parsed, settled } = fullGateway();
    const chat = `openai/${fresh()}`;
    const messages = [{ role: "user" as const, content: `mail ${EMAIL}` }];
    await client.chat.completions.create({ model: chat, messages, temperature: 0 });
    // The same request again: a cache hit.
    const hit = await client.chat.completions
      .create({ model: chat, messages, temperature: 0 })
      .withResponse();
    expect(hit.response.headers.get("x-textnlp-cache")).toBe("hit");
    await collect(
      await client.chat.completions.create({ model: `openai/${fresh()}`, messages, stream: true }),
    );
    await client.completions.create({ model: `openai/${fresh()}`, prompt: "Once", max_tokens: 4 });
    await client.embeddings.create({ model: `cohere/${fresh()}`, input: ["ab", "cd"] });
    // An invalid body is parsed (and refused) once too.
    const invalid = await client.chat.completions
      .create({ model: chat, messages: [] })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, param: "messages" });
    await settled();
    expect(parsed).toEqual(["chat", "chat", "chat", "completions", "embeddings", "chat"]);
  });

  it("sends the redacted request upstream, and keys the cache on it", async () => {
    const { client } = fullGateway();
    const name = fresh();
    const ask = (email: string) =>
      client.chat.completions
        .create({
          model: `openai/${name}`,
          messages: [{ role: "user", content: `Write to ${email} today.` }],
          temperature: 0,
        })
        .withResponse();
    const first = await ask(EMAIL);
    expect(first.response.headers.get("x-textnlp-guardrails")).toBe("pii:email:redacted");
    expect((await fakeReceived("openai", name)).body.messages).toEqual([
      { role: "user", content: "Write to [EMAIL] today." },
    ]);
    expect(first.data.choices[0]?.message.content).toBe(
      "Hello from openai! You said: Write to [EMAIL] today.",
    );
    // Another address redacts to the same request: the cache answers it.
    const second = await ask("someone.else@example.org");
    expect(second.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect((await fakeCalls("openai"))[name]).toBe(1);

    const embedding = fresh();
    await client.embeddings.create({ model: `openai/${embedding}`, input: [`to ${EMAIL}`, "x"] });
    expect((await fakeReceived("openai", embedding)).body.input).toEqual(["to [EMAIL]", "x"]);
  });

  it("meters every call, an invalid one too, but not the limits' own refusals", async () => {
    const { call, settled } = fullGateway({ key: { requests_per_minute: 2 } });
    const model = `openai/${fresh()}`;
    const send = (body: Record<string, unknown>) =>
      call("http://edge/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, ...body }),
      });
    const hi = { messages: [{ role: "user", content: `hi ${EMAIL}` }] };
    expect((await send(hi)).status).toBe(200);
    // Refused before any reservation: it does not count against the limit.
    expect((await send({ messages: "not a list" })).status).toBe(400);
    expect((await send(hi)).status).toBe(200);
    expect((await send(hi)).status).toBe(429);
    await settled();
    const served = { status: 200, cache_status: "bypass", guardrails: "pii:email:redacted" };
    expect(await usageRows(model)).toEqual([
      served,
      { status: 400, cache_status: "none", guardrails: null },
      served,
    ]);
  });

  it("is a plain function too: a request parsed and estimated without HTTP", () => {
    const parsed = parseInference("chat", {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "12345678" }],
      max_tokens: 10,
      unknown_field: true,
    });
    expect(parsed.request).toEqual({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "12345678" }],
      max_tokens: 10,
    });
    expect(parsed.estimate).toEqual({ promptTokens: 2, maxTokens: 10 });
    let error: unknown;
    try {
      parseInference("embeddings", { model: "m" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, param: "input" });
  });
});
