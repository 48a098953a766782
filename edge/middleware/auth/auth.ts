/**
 * Authentication: `Authorization: Bearer <credential>` (or `x-api-key`), either an API key
 * (`tnlp_…`, looked up by hash in D1 through a short per-isolate cache, see key-cache.ts) or, when configured, a JWT: one of our access tokens, or
 * one from the external identity provider (told apart by its `iss`). Sets the request's
 * principal; anything missing or wrong is a 401 envelope.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../shared/api/errors.ts";
import { API_KEY_PREFIX, bearerToken, hashApiKey } from "../../../shared/auth/api-keys.ts";
import { isExpired, touchApiKey } from "../../../shared/identity/api-keys.ts";
import { keyPrincipal, type Principal } from "../../../shared/identity/principal.ts";
import { type Bindings, type EdgeEnv, settings } from "../../env.ts";
import { inBackground } from "../../lib/background.ts";
import { openStore } from "../../store/db.ts";
import { type TokenClaims, verifyAccessToken } from "./jwt.ts";
import { claimLastUsedWrite, lookUpApiKey } from "./key-cache.ts";
import { isIdentityProviderToken, type JwksFetch, verifyIdentityToken } from "./oidc.ts";

/** Options of {@link authenticate}. */
export interface AuthOptions {
  /** The clock used for key expiry and token times (injected in tests). */
  now?: () => number;
  /** The fetch the identity provider's JWKS is loaded with. */
  fetch?: JwksFetch;
}

const unauthorized = (message: string, code: string) => new ApiError(401, message, { code });

/** Principals of in-process calls, by the environment object each passes to `app.fetch`. */
const internalPrincipals = new WeakMap<object, Principal>();

/**
 * An environment for calls into the app from inside this isolate (a queue consumer running a
 * job) that authenticate as `principal`: the bindings are `env`'s, the object is new and known
 * only here, so no request from the network can present it.
 */
export function internalEnv(env: Bindings, principal: Principal): Bindings {
  const scoped = Object.create(env) as Bindings;
  internalPrincipals.set(scoped, principal);
  return scoped;
}

/** The authentication middleware. */
export function authenticate({
  now = Date.now,
  fetch = (input, init) => globalThis.fetch(input, init),
}: AuthOptions = {}): MiddlewareHandler<EdgeEnv> {
  return async function authenticateHandler(c, next) {
    // A call made inside this isolate (a queue consumer's) acts as whom its caller named.
    const internal = internalPrincipals.get(c.env);
    if (internal) {
      c.set("principal", internal);
      return next();
    }
    const credential = bearerToken(c.req.header("authorization")) ?? c.req.header("x-api-key");
    if (!credential) {
      throw unauthorized(
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
        "missing_api_key",
      );
    }
    const { database, jwt, oidc } = settings(c);
    const at = new Date(now());
    if (credential.startsWith(API_KEY_PREFIX)) {
      const db = await openStore(database);
      const entry = await lookUpApiKey(db, await hashApiKey(credential), at.getTime());
      // Expiry is checked on the clock every time, cached or not.
      if (!entry || isExpired(entry.key, at)) {
        throw unauthorized("Incorrect API key provided.", "invalid_api_key");
      }
      const { key } = entry;
      // last_used_at is minute-grained and written after the response, never on its path.
      if (claimLastUsedWrite(entry, at.getTime())) {
        await inBackground(c, "recording the API key's last use", touchApiKey(db, key.id, at));
      }
      c.set("principal", keyPrincipal(key));
      return next();
    }
    if (!jwt && !oidc) throw unauthorized("Incorrect API key provided.", "invalid_api_key");
    // Our own tokens and the identity provider's are told apart by their (unverified) issuer;
    // each is then verified against its own keys only.
    const fromIdp = oidc !== null && isIdentityProviderToken(credential, oidc);
    try {
      let claims: TokenClaims;
      if (oidc && fromIdp) claims = await verifyIdentityToken(credential, oidc, fetch, at);
      else if (jwt) claims = await verifyAccessToken(credential, jwt, at);
      else throw new Error("not the identity provider's token, and no access tokens configured");
      c.set("principal", {
        kind: fromIdp ? "oidc" : "user",
        tenantId: claims.tenantId,
        scopes: claims.scopes,
        keyId: null,
        subject: claims.subject,
      });
    } catch {
      // One message for every failure: the reason is not for an attacker to learn.
      throw unauthorized("Invalid or expired access token.", "invalid_token");
    }
    return next();
  };
}
