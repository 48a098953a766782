/**
 * Access tokens (JWT) verified with jose against one configured key and an algorithm
 * allow-list: expired, tampered, unsigned (`alg: none`), wrong-algorithm (HS/RS confusion),
 * wrong-issuer and wrong-audience tokens are all refused. The same key material (the HMAC
 * secret, or the private JWK) signs the tokens `POST /v1/auth/token` hands out.
 */
import {
  type CryptoKey,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from "jose";
import { roleScopes } from "../../../shared/auth/scopes.ts";
import { type Role, roles } from "../../../shared/db/schema/users.ts";

/** How access tokens are checked and issued (from edge/env.ts). */
export interface JwtSettings {
  /** An HMAC secret (HS*) or a public JWK (RS*, ES*, EdDSA). */
  key: { kind: "secret"; secret: Uint8Array } | { kind: "jwk"; jwk: JWK };
  /** Only these `alg` values are accepted. */
  algorithms: string[];
  issuer: string;
  audience: string;
  /** The key tokens are signed with (the secret, or the private JWK); null: verify only. */
  signing: { alg: string; key: Uint8Array | JWK } | null;
  /** Lifetime of issued access tokens. */
  accessTtlSeconds: number;
  /** Lifetime of issued refresh tokens. */
  refreshTtlSeconds: number;
}

/** What a verified token says about its bearer. */
export interface TokenClaims {
  subject: string;
  tenantId: string;
  role: Role;
  scopes: string[];
}

const keys = new WeakMap<object, Promise<CryptoKey | Uint8Array>>();

/** Imports a key once per settings object (the settings live as long as the isolate's env). */
function importOnce(owner: object, key: Uint8Array | JWK, alg: string) {
  let imported = keys.get(owner);
  if (!imported) {
    imported =
      key instanceof Uint8Array
        ? Promise.resolve(key)
        : (importJWK(key, alg) as Promise<CryptoKey>);
    keys.set(owner, imported);
  }
  return imported;
}

function verificationKey(settings: JwtSettings): Promise<CryptoKey | Uint8Array> {
  const k = settings.key;
  return k.kind === "secret"
    ? importOnce(settings, k.secret, "HS256")
    : importOnce(settings, k.jwk, k.jwk.alg ?? settings.algorithms[0] ?? "RS256");
}

/** What every token must satisfy, ours or the identity provider's. */
export interface TokenRules {
  algorithms: string[];
  issuer: string;
  audience: string;
}

/**
 * jwtVerify with the rules every token meets: an allowed algorithm (so never `none`, nor HS
 * with a public key), the issuer, the audience, `exp` and `sub` present, 5 s of clock skew.
 */
export async function verifyWithRules(
  token: string,
  key: CryptoKey | Uint8Array | JWTVerifyGetKey,
  rules: TokenRules,
  now: Date,
): Promise<JWTPayload> {
  const options = {
    algorithms: rules.algorithms,
    issuer: rules.issuer,
    audience: rules.audience,
    currentDate: now,
    requiredClaims: ["exp", "sub"],
    clockTolerance: 5,
  };
  // Two branches only because jwtVerify's overloads take a key or a key-set function, not either.
  const { payload } =
    typeof key === "function"
      ? await jwtVerify(token, key, options)
      : await jwtVerify(token, key, options);
  return payload;
}

/** Verifies an access token; throws (any error) when it is not acceptable. */
export async function verifyAccessToken(
  token: string,
  settings: JwtSettings,
  now: Date,
): Promise<TokenClaims> {
  return claimsOf(await verifyWithRules(token, await verificationKey(settings), settings, now));
}

function claimsOf(payload: JWTPayload): TokenClaims {
  const tenantId = payload.tid;
  const role = payload.role;
  if (typeof tenantId !== "string" || !tenantId) throw new Error("token has no tenant (tid)");
  if (!roles.includes(role as Role)) throw new Error("token has no valid role");
  const scope = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : null;
  return {
    subject: payload.sub ?? "",
    tenantId,
    role: role as Role,
    scopes: scope ?? [...roleScopes[role as Role]],
  };
}

/** Signs a short-lived access token for a user; `settings.signing` must be set. */
export async function signAccessToken(
  user: { id: string; tenantId: string; role: Role },
  settings: JwtSettings,
  now: Date,
): Promise<string> {
  const signing = settings.signing;
  if (!signing) throw new Error("no signing key configured");
  const key = await importOnce(signing, signing.key, signing.alg);
  const kid = signing.key instanceof Uint8Array ? undefined : signing.key.kid;
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ tid: user.tenantId, role: user.role })
    .setProtectedHeader({ alg: signing.alg, typ: "JWT", ...(kid ? { kid } : {}) })
    .setSubject(user.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.accessTtlSeconds)
    .setJti(crypto.randomUUID())
    .sign(key);
}
