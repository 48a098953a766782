/**
 * Authentication and the API key admin API in workerd with real D1: keys created through the
 * admin API (secret shown once, stored hashed), scoped, revocable, expiring on the injected
 * clock, tenant-isolated; JWT access tokens refused when expired, tampered, unsigned,
 * algorithm-confused, or for another audience or issuer.
 */
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { seedApiKey, startGateway } from "../../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

const json = (body: unknown, secret?: string) => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...(secret ? { authorization: `Bearer ${secret}` } : {}),
  },
  body: JSON.stringify(body),
});
const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });
const chat = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "hi" }] };

describe("API keys", () => {
  it("refuses missing and wrong credentials with 401 envelopes; /health stays open", async () => {
    const { callRaw } = startGateway();
    const missing = await callRaw("http://edge/v1/models");
    expect(missing.status).toBe(401);
    expect(await missing.json<Json>()).toMatchObject({
      error: { type: "authentication_error", code: "missing_api_key" },
    });
    const wrong = await callRaw("http://edge/v1/models", bearer("tnlp_not-a-real-key"));
    expect((await wrong.json<Json>()).error.code).toBe("invalid_api_key");
    expect((await callRaw("http://edge/health")).status).toBe(200);
  });

  it("creates a key shown once, lists it without secret, uses it, and revokes it", async () => {
    const { callRaw } = startGateway();
    const admin = await seedApiKey(["*"], "tenant-a");
    const created = await callRaw(
      "http://edge/v1/admin/keys",
      json({ name: "ci", scopes: ["inference"] }, admin.secret),
    );
    expect(created.status).toBe(201);
    const key = (await created.json<Json>()) as {
      id: string;
      key: string;
      prefix: string;
      scopes: string[];
    };
    expect(key.key.startsWith("tnlp_")).toBe(true);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(key.scopes).toEqual(["inference"]);

    const client = new OpenAI({
      baseURL: "http://edge/v1",
      apiKey: key.key,
      fetch: callRaw,
      maxRetries: 0,
    });
    const answer = await client.chat.completions.create(chat);
    expect(answer.choices[0]?.message.content).toContain("Hello from openai");
    // Scopes are enforced: this key may not list models nor administer keys.
    expect(await client.models.list().catch((e) => e)).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((await callRaw("http://edge/v1/admin/keys", bearer(key.key))).status).toBe(403);

    const listed = await (
      await callRaw("http://edge/v1/admin/keys", bearer(admin.secret))
    ).json<Json>();
    const row = listed.data.find((k: { id: string }) => k.id === key.id);
    expect(row).toMatchObject({ name: "ci", revoked_at: null });
    expect(row.last_used_at).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(key.key);
    expect(row).not.toHaveProperty("key");
    expect(row).not.toHaveProperty("hash");

    const revoked = await callRaw(`http://edge/v1/admin/keys/${key.id}`, {
      method: "DELETE",
      ...bearer(admin.secret),
    });
    expect(revoked.status).toBe(200);
    expect((await revoked.json<Json>()).revoked_at).not.toBeNull();
    expect(await client.chat.completions.create(chat).catch((e) => e)).toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const again = await callRaw(`http://edge/v1/admin/keys/${key.id}`, {
      method: "DELETE",
      ...bearer(admin.secret),
    });
    expect(again.status).toBe(404);
  });

  it("expires keys on the injected clock", async () => {
    let now = Date.UTC(2026, 0, 1);
    const { callRaw } = startGateway({ deps: { now: () => now } });
    const admin = await seedApiKey(["*"], "tenant-exp");
    const res = await callRaw(
      "http://edge/v1/admin/keys",
      json({ name: "short", scopes: ["models:read"], expires_in_days: 1 }, admin.secret),
    );
    const { key, expires_at } = (await res.json<Json>()) as { key: string; expires_at: number };
    expect(expires_at).toBe(now + 86_400_000);
    expect((await callRaw("http://edge/v1/models", bearer(key))).status).toBe(200);
    now += 86_400_000 - 1;
    expect((await callRaw("http://edge/v1/models", bearer(key))).status).toBe(200);
    now += 1;
    expect((await callRaw("http://edge/v1/models", bearer(key))).status).toBe(401);
  });

  it("keeps tenants apart and refuses granting scopes the caller lacks", async () => {
    const { callRaw } = startGateway();
    const adminA = await seedApiKey(["*"], "tenant-iso-a");
    const adminB = await seedApiKey(["admin:*", "inference"], "tenant-iso-b");
    const created = await callRaw(
      "http://edge/v1/admin/keys",
      json({ name: "a-key" }, adminA.secret),
    );
    const keyA = (await created.json<Json>()) as { id: string };

    const listB = await (
      await callRaw("http://edge/v1/admin/keys", bearer(adminB.secret))
    ).json<Json>();
    expect(listB.data.map((k: { id: string }) => k.id)).not.toContain(keyA.id);
    const revokeByB = await callRaw(`http://edge/v1/admin/keys/${keyA.id}`, {
      method: "DELETE",
      ...bearer(adminB.secret),
    });
    expect(revokeByB.status).toBe(404);
    const listA = await (
      await callRaw("http://edge/v1/admin/keys", bearer(adminA.secret))
    ).json<Json>();
    expect(listA.data.find((k: { id: string }) => k.id === keyA.id).revoked_at).toBeNull();

    const escalate = await callRaw(
      "http://edge/v1/admin/keys",
      json({ name: "x", scopes: ["*"] }, adminB.secret),
    );
    expect(escalate.status).toBe(403);
    expect((await escalate.json<Json>()).error.code).toBe("insufficient_scope");
  });

  it("answers malformed and invalid bodies with 400 envelopes", async () => {
    const { callRaw } = startGateway();
    const admin = await seedApiKey(["*"], "tenant-bad");
    const badScope = await callRaw(
      "http://edge/v1/admin/keys",
      json({ name: "x", scopes: ["NOT A SCOPE"] }, admin.secret),
    );
    expect(badScope.status).toBe(400);
    expect((await badScope.json<Json>()).error.param).toBe("scopes.0");
    const notJson = await callRaw("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin.secret}` },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json<Json>()).error.type).toBe("invalid_request_error");

    const small = startGateway({ bindings: { BODY_LIMIT_BYTES: "2048" } });
    const huge = { ...chat, messages: [{ role: "user", content: "x".repeat(4096) }] };
    const tooBig = await small.call("http://edge/v1/chat/completions", json(huge));
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json<Json>()).error.code).toBe("body_too_large");
  });
});

describe("JWT access tokens", () => {
  const secret = "a-test-secret-that-is-at-least-32-bytes-long";
  const hsKey = new TextEncoder().encode(secret);
  const claims = { tid: "tenant-jwt", role: "developer" };
  const sign = (
    key: Uint8Array | CryptoKey,
    alg = "HS256",
    edit: (t: SignJWT) => SignJWT = (t) => t,
  ) =>
    edit(
      new SignJWT(claims)
        .setProtectedHeader({ alg })
        .setSubject("user-1")
        .setIssuer("textnlp")
        .setAudience("textnlp-api")
        .setIssuedAt()
        .setExpirationTime("5m"),
    ).sign(key);

  it("accepts a valid HS256 token and refuses expired, tampered, unsigned and foreign ones", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    const status = async (token: string) =>
      (await callRaw("http://edge/v1/chat/completions", json(chat, token))).status;

    expect(await status(await sign(hsKey))).toBe(200);
    expect(
      await status(
        await sign(hsKey, "HS256", (t) => t.setExpirationTime(Math.floor(Date.now() / 1000) - 60)),
      ),
    ).toBe(401);
    expect(await status(await sign(hsKey, "HS256", (t) => t.setAudience("someone-else")))).toBe(
      401,
    );
    expect(await status(await sign(hsKey, "HS256", (t) => t.setIssuer("evil")))).toBe(401);
    expect(
      await status(await sign(new TextEncoder().encode("another-secret-of-at-least-32-bytes!!"))),
    ).toBe(401);

    const [header, payload, signature] = (await sign(hsKey)).split(".");
    const forged = btoa(
      JSON.stringify({
        ...claims,
        role: "admin",
        sub: "user-1",
        iss: "textnlp",
        aud: "textnlp-api",
        exp: 9_999_999_999,
      }),
    )
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect(await status(`${header}.${forged}.${signature}`)).toBe(401);
    const none = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
    expect(await status(`${none}.${payload}.`)).toBe(401);

    const res = await callRaw(
      "http://edge/v1/chat/completions",
      json(chat, "eyJhbGciOiJub25lIn0.e30."),
    );
    expect(await res.json<Json>()).toMatchObject({
      error: { type: "authentication_error", code: "invalid_token" },
    });
  });

  it("with an RS256 public key, refuses an HS256 token signed with that public key (alg confusion)", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: "RS256" };
    const { callRaw } = startGateway({ bindings: { JWT_PUBLIC_JWK: JSON.stringify(jwk) } });
    const status = async (token: string) =>
      (await callRaw("http://edge/v1/chat/completions", json(chat, token))).status;

    expect(await status(await sign(privateKey, "RS256"))).toBe(200);
    const pem = new TextEncoder().encode(await exportSPKI(publicKey));
    expect(await status(await sign(pem, "HS256"))).toBe(401);
    expect(await status(await sign(new TextEncoder().encode(JSON.stringify(jwk)), "HS256"))).toBe(
      401,
    );
  });

  it("maps roles to scopes: a viewer token may list models but not chat", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    const token = await new SignJWT({ tid: "tenant-jwt", role: "viewer" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("viewer-1")
      .setIssuer("textnlp")
      .setAudience("textnlp-api")
      .setExpirationTime("5m")
      .sign(hsKey);
    expect((await callRaw("http://edge/v1/models", bearer(token))).status).toBe(200);
    expect((await callRaw("http://edge/v1/chat/completions", json(chat, token))).status).toBe(403);
  });
});
