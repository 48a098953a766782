/**
 * The fake identity provider serves a JWKS that jose's remote key set (what the gateway uses,
 * and what most OIDC relying parties use) reads and verifies its tokens with.
 */
import { createRemoteJWKSet, importJWK, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeIdp, startFakeIdp } from "./idp.ts";

let idp: FakeIdp;
beforeAll(async () => {
  idp = await startFakeIdp("kid-under-test");
});
afterAll(() => idp.server.close());

it("publishes a JWKS that verifies tokens signed with its private key, and counts fetches", async () => {
  const token = await new SignJWT({ tenant: "acme" })
    .setProtectedHeader({ alg: "RS256", kid: "kid-under-test" })
    .setIssuer(idp.issuer)
    .setExpirationTime("1m")
    .sign(await importJWK(idp.privateJwk, "RS256"));
  const keys = createRemoteJWKSet(new URL(idp.jwksUrl));
  const { payload, protectedHeader } = await jwtVerify(token, keys, { issuer: idp.issuer });
  expect(payload.tenant).toBe("acme");
  expect(protectedHeader.kid).toBe("kid-under-test");
  expect(idp.server.calls()).toEqual({ jwks: 1 });
  const published = (await (await fetch(idp.jwksUrl)).json()) as {
    keys: Record<string, unknown>[];
  };
  expect(published.keys).toHaveLength(1);
  expect(published.keys[0]).not.toHaveProperty("d"); // public half only
  expect(published.keys[0]).not.toHaveProperty("alg"); // the relying party's allow-list decides
});
