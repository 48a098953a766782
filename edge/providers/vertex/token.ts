/**
 * OAuth access tokens for a service account (Google's JWT bearer flow): an RS256 assertion
 * signed with the account's private key, exchanged at its `token_uri`, and cached per isolate
 * until shortly before it expires.
 */
import { importPKCS8, SignJWT } from "jose";
import { parseRetryAfter, UpstreamError } from "../errors.ts";
import type { AuthorizeDeps } from "../types.ts";
import { keyError, type ServiceAccount } from "./service-account.ts";

/** The scope Vertex AI calls need. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** An assertion's lifetime: Google takes at most an hour. */
const ASSERTION_TTL_S = 3600;
/** A token this close to its expiry is replaced (google-auth-library's threshold too). */
export const REFRESH_BEFORE_MS = 5 * 60_000;
/** Service accounts an isolate keeps tokens for (a tenant's own keys add theirs). */
const MAX_ACCOUNTS = 1000;

interface AccessToken {
  token: string;
  /** By the gateway's clock (`deps.now`). */
  expiresAt: number;
}

/** Per isolate: the token of each service account and key, and the exchanges under way. */
const held = new Map<string, AccessToken>();
const pending = new Map<string, Promise<AccessToken>>();

/**
 * A bearer token for `account`: the cached one while it is good, else one exchange, which
 * concurrent callers share (its failure too); a failed exchange leaves nothing cached, so the
 * next call tries again.
 */
export async function accessToken(account: ServiceAccount, deps: AuthorizeDeps): Promise<string> {
  const id = `${account.client_email}\n${account.private_key_id}`;
  const token = held.get(id);
  if (token && token.expiresAt - REFRESH_BEFORE_MS > deps.now()) return token.token;
  let exchange = pending.get(id);
  if (!exchange) {
    exchange = exchangeAssertion(account, deps).then(
      (fresh) => {
        pending.delete(id);
        held.delete(id);
        if (held.size >= MAX_ACCOUNTS) held.delete(held.keys().next().value ?? "");
        held.set(id, fresh);
        return fresh;
      },
      (err: unknown) => {
        pending.delete(id);
        held.delete(id);
        throw err;
      },
    );
    pending.set(id, exchange);
  }
  // A call that joined another's exchange still gives up at its own time limit.
  return (await untilAborted(exchange, deps.signal)).token;
}

/** `promise`, or a rejection once `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** Signs the assertion for `account`, as of `now`. */
async function signAssertion(account: ServiceAccount, now: number): Promise<string> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(account.private_key, "RS256");
  } catch (err) {
    throw keyError("private_key is not an RSA PKCS #8 key", err);
  }
  const iat = Math.floor(now / 1000);
  return new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: account.private_key_id })
    .setIssuer(account.client_email)
    .setSubject(account.client_email)
    .setAudience(account.token_uri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_TTL_S)
    .sign(key);
}

/** One exchange at `token_uri`: the access token and when it expires. */
async function exchangeAssertion(
  account: ServiceAccount,
  deps: AuthorizeDeps,
): Promise<AccessToken> {
  const now = deps.now();
  const assertion = await signAssertion(account, now);
  const res = await deps.fetch(account.token_uri, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
    signal: deps.signal,
  });
  const text = await res.text();
  let body: {
    access_token?: unknown;
    expires_in?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  try {
    body = JSON.parse(text);
  } catch {
    body = { error_description: text.replace(/\s+/g, " ").trim().slice(0, 500) };
  }
  if (!res.ok) {
    const code = typeof body.error === "string" ? body.error : null;
    const said = [code, body.error_description]
      .filter((s) => typeof s === "string" && s)
      .join(": ");
    const message = `token exchange refused: ${said || `HTTP ${res.status}`}`;
    // A refused assertion is a refused key: reported as the provider's 401 would be.
    const refused = res.status === 400 || res.status === 401;
    throw new UpstreamError("vertex", "status", message, {
      status: refused ? 401 : res.status,
      retryAfter: parseRetryAfter(res.headers.get("retry-after"), deps.now()),
      code,
    });
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw new UpstreamError(
      "vertex",
      "network",
      "the token endpoint answered without access_token",
    );
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : ASSERTION_TTL_S;
  return { token: body.access_token, expiresAt: now + expiresIn * 1000 };
}
