/**
 * A fake OpenID Connect identity provider on loopback: one RSA signing key, published at
 * `GET /jwks.json` (without `alg`, as many providers do, so the gateway's own allow-list is what
 * refuses other algorithms); `GET /__calls` counts JWKS fetches
 * (`jwks`). Tests sign tokens with the private key they are given.
 */
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { type FakeServer, startFakeServer } from "./server.ts";

/** What a test needs to act as the provider. */
export interface FakeIdp {
  server: FakeServer;
  issuer: string;
  jwksUrl: string;
  /** The signing key, as a private JWK with its `kid`. */
  privateJwk: JWK;
}

/** Starts the fake identity provider. */
export async function startFakeIdp(kid = "idp-key-1"): Promise<FakeIdp> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid };
  const server = await startFakeServer((req, res, count) => {
    if (req.method === "GET" && req.path === "/jwks.json") {
      count("jwks");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "not_found" }));
  });
  return { server, issuer: server.url, jwksUrl: `${server.url}/jwks.json`, privateJwk };
}
