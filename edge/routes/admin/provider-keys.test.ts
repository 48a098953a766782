/**
 * Tenants' own provider keys in workerd with real D1: stored sealed, never returned, used for
 * that tenant's requests only, and removable.
 */
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { seedApiKey, startGateway } from "../../test/gateway.ts";

const master = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const chat = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "hi" }] };

describe("tenant provider keys", () => {
  it("routes a tenant with its own key while others keep the server's, and keeps it sealed", async () => {
    // The server's OpenAI key is wrong: only a tenant's own (right) key gets through.
    const { callRaw } = startGateway({
      bindings: { OPENAI_API_KEY: "sk-server-wrong", PROVIDER_KEYS_SECRET: master },
    });
    const adminA = await seedApiKey(["*"], "tenant-own-a");
    const userB = await seedApiKey(["inference"], "tenant-own-b");
    const clientA = new OpenAI({
      baseURL: "http://edge/v1",
      apiKey: adminA.secret,
      fetch: callRaw,
      maxRetries: 0,
    });
    const clientB = new OpenAI({
      baseURL: "http://edge/v1",
      apiKey: userB.secret,
      fetch: callRaw,
      maxRetries: 0,
    });
    const openaiKey = inject("fakes").keys.openai;

    expect((await clientA.chat.completions.create(chat).catch((e) => e)).code).toBe(
      "upstream_auth_failed",
    );
    const put = await callRaw("http://edge/v1/admin/provider-keys/openai", {
      method: "PUT",
      headers: { authorization: `Bearer ${adminA.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ api_key: openaiKey }),
    });
    expect(put.status).toBe(200);
    const stored = await put.json<{ provider: string; hint: string }>();
    expect(stored).toMatchObject({ provider: "openai", hint: openaiKey.slice(-4) });
    expect(JSON.stringify(stored)).not.toContain(openaiKey);

    const answer = await clientA.chat.completions.create(chat);
    expect(answer.choices[0]?.message.content).toContain("Hello from openai");
    expect((await clientB.chat.completions.create(chat).catch((e) => e)).code).toBe(
      "upstream_auth_failed",
    );

    const rows = await env.DB.prepare("SELECT * FROM provider_keys").all();
    expect(rows.results).toHaveLength(1);
    expect(JSON.stringify(rows.results)).not.toContain(openaiKey);

    const list = await callRaw("http://edge/v1/admin/provider-keys", {
      headers: { authorization: `Bearer ${adminA.secret}` },
    });
    expect(JSON.stringify(await list.json())).not.toContain(openaiKey);
    const listB = await callRaw("http://edge/v1/admin/provider-keys", {
      headers: { authorization: `Bearer ${userB.secret}` },
    });
    expect(listB.status).toBe(403);

    const removed = await callRaw("http://edge/v1/admin/provider-keys/openai", {
      method: "DELETE",
      headers: { authorization: `Bearer ${adminA.secret}` },
    });
    expect(removed.status).toBe(200);
    expect((await clientA.chat.completions.create(chat).catch((e) => e)).code).toBe(
      "upstream_auth_failed",
    );
  });

  it("refuses unknown providers and answers when the feature is off", async () => {
    const admin = await seedApiKey(["*"], "tenant-own-c");
    const on = startGateway({ bindings: { PROVIDER_KEYS_SECRET: master } });
    const put = (gateway: ReturnType<typeof startGateway>, provider: string) =>
      gateway.callRaw(`http://edge/v1/admin/provider-keys/${provider}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${admin.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ api_key: "sk-some-key-1234" }),
      });
    expect((await put(on, "nobody")).status).toBe(400);
    const off = await put(startGateway(), "openai");
    expect(off.status).toBe(400);
    expect((await off.json<{ error: { code: string } }>()).error.code).toBe("feature_disabled");
  });
});
