/**
 * Tokens from an external identity provider, verified in workerd against a loopback fake IdP's
 * JWKS (test/fakes/idp.ts): issuer, audience, expiry, known key, allowed algorithm and an
 * untampered signature are all required; claims map to the tenant and the role.
 */
import { exportJWK, generateKeyPair, importJWK, type JWTPayload, SignJWT } from "jose";
import { describe, expect, inject, it } from "vitest";
import { seedUser, startGateway } from "../../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

const idp = inject("idp");
const bindings = {
  OIDC_ISSUER: idp.issuer,
  OIDC_JWKS_URL: idp.jwksUrl,
  OIDC_AUDIENCE: "textnlp-edge",
  OIDC_ALGORITHMS: "RS256",
  OIDC_TENANT_CLAIM: "org",
  OIDC_ROLE_CLAIM: "groups",
  OIDC_ROLE_MAP: JSON.stringify({ "textnlp-admins": "admin", "textnlp-devs": "developer" }),
};
const idpKey = await importJWK(idp.privateJwk, "RS256");

/** A token as the IdP would issue it; `edit` changes claims or header before signing. */
function idpToken(
  claims: JWTPayload = {},
  options: { alg?: string; kid?: string; key?: CryptoKey | Uint8Array } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: idp.issuer,
    aud: "textnlp-edge",
    sub: "idp-user-42",
    org: "tenant-oidc",
    groups: ["everyone", "textnlp-admins"],
    iat: now,
    exp: now + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: options.alg ?? "RS256", kid: options.kid ?? idp.privateJwk.kid })
    .sign(options.key ?? idpKey);
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const jwksFetches = async () =>
  ((await (await fetch(`${idp.issuer}/__calls`)).json()) as { jwks?: number }).jwks ?? 0;

describe("identity provider tokens", () => {
  it("accept a good token as the mapped tenant and role, fetching the JWKS once", async () => {
    const { callRaw } = startGateway({ bindings });
    const userId = await seedUser("tenant-oidc", "someone", "a long enough password", "viewer");
    const before = await jwksFetches();
    const token = await idpToken();
    const users = await callRaw("http://edge/v1/admin/users", bearer(token));
    expect(users.status).toBe(200);
    expect((await users.json<Json>()).data.map((u: { id: string }) => u.id)).toEqual([userId]);

    // Admin actions made with it are audited as the token's subject.
    const created = await callRaw("http://edge/v1/admin/keys", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "from-sso", scopes: ["inference"] }),
    });
    expect(created.status).toBe(201);
    const audit = await (await callRaw("http://edge/v1/admin/audit", bearer(token))).json<Json>();
    expect(audit.data[0]).toMatchObject({
      action: "api_key.create",
      actor: { kind: "token", id: "idp-user-42" },
    });
    expect(await jwksFetches()).toBe(before + 1);
  });

  it("map groups to the strongest role, and refuse a token whose groups map to none", async () => {
    const { callRaw } = startGateway({ bindings });
    const dev = await idpToken({ groups: ["textnlp-devs"] });
    expect((await callRaw("http://edge/v1/usage", bearer(dev))).status).toBe(200);
    expect((await callRaw("http://edge/v1/admin/users", bearer(dev))).status).toBe(403);
    const nobody = await idpToken({ groups: ["everyone"] });
    expect((await callRaw("http://edge/v1/usage", bearer(nobody))).status).toBe(401);

    const withDefault = startGateway({ bindings: { ...bindings, OIDC_DEFAULT_ROLE: "viewer" } });
    expect((await withDefault.callRaw("http://edge/v1/usage", bearer(nobody))).status).toBe(200);
    const chat = await withDefault.callRaw("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${nobody}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(chat.status).toBe(403);
  });

  it("refuse expired, foreign-issuer, wrong-audience, unknown-key, disallowed-algorithm and tampered tokens", async () => {
    const { callRaw } = startGateway({ bindings });
    const status = async (token: string) => {
      const res = await callRaw("http://edge/v1/usage", bearer(token));
      if (res.status === 401) {
        expect((await res.json<Json>()).error).toMatchObject({
          type: "authentication_error",
          code: "invalid_token",
        });
      }
      return res.status;
    };
    const now = Math.floor(Date.now() / 1000);
    expect(await status(await idpToken())).toBe(200);
    expect(await status(await idpToken({ exp: now - 60, iat: now - 600 }))).toBe(401);
    expect(await status(await idpToken({ iss: "https://evil.example" }))).toBe(401);
    expect(await status(await idpToken({ aud: "someone-else" }))).toBe(401);
    expect(await status(await idpToken({ org: undefined }))).toBe(401);

    const rogue = await generateKeyPair("RS256", { extractable: true });
    expect(await status(await idpToken({}, { kid: "rogue", key: rogue.privateKey }))).toBe(401);
    // The IdP's own kid on a token signed by another key: the signature fails.
    expect(await status(await idpToken({}, { key: rogue.privateKey }))).toBe(401);
    // The right key, but PS256 is not on the allow-list (and HS256 never is).
    const ps256 = await importJWK(idp.privateJwk, "PS256");
    expect(await status(await idpToken({}, { alg: "PS256", key: ps256 }))).toBe(401);
    const hsSecret = new TextEncoder().encode(JSON.stringify(await exportJWK(rogue.publicKey)));
    expect(await status(await idpToken({}, { alg: "HS256", key: hsSecret }))).toBe(401);

    const [header, payload, signature] = (await idpToken()).split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...claims, org: "tenant-victim" }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect(await status(`${header}.${forged}.${signature}`)).toBe(401);

    // The same PS256 token passes once the operator allows PS256: the allow-list is what refused it.
    const allowPs = startGateway({ bindings: { ...bindings, OIDC_ALGORITHMS: "RS256,PS256" } });
    const res = await allowPs.callRaw(
      "http://edge/v1/usage",
      bearer(await idpToken({}, { alg: "PS256", key: ps256 })),
    );
    expect(res.status).toBe(200);
  });

  it("refuse HMAC algorithms in the configuration", async () => {
    const { callRaw } = startGateway({ bindings: { ...bindings, OIDC_ALGORITHMS: "HS256" } });
    const res = await callRaw("http://edge/v1/usage", bearer(await idpToken()));
    expect(res.status).toBe(500);
    expect((await res.json<Json>()).error.message).toBe("The gateway is misconfigured.");
  });
});
