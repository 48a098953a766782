/**
 * Access tokens (JWT) verified with jose against one configured key and an algorithm
 * allow-list: expired, tampered, unsigned (`alg: none`), wrong-algorithm (HS/RS confusion),
 * wrong-issuer and wrong-audience tokens are all refused.
 */
import { type CryptoKey, importJWK, type JWK, type JWTPayload, jwtVerify } from "jose";
import type { Role } from "../../../shared/db/schema/users.ts";

/** How access tokens are checked (from edge/env.ts). */
export interface JwtSettings {
  /** An HMAC secret (HS*) or a public JWK (RS*, ES*, EdDSA). */
  key: { kind: "secret"; secret: Uint8Array } | { kind: "jwk"; jwk: JWK };
  /** Only these `alg` values are accepted. */
  algorithms: string[];
  issuer: string;
  audience: string;
}

/** What a verified token says about its bearer. */
export interface TokenClaims {
  subject: string;
  tenantId: string;
  role: Role;
  scopes: string[];
}

/** Scopes a role grants when a token names none. */
export const roleScopes: Record<Role, string[]> = {
  admin: ["*"],
  developer: ["inference", "models:read"],
  viewer: ["models:read"],
};

const keys = new WeakMap<JwtSettings, Promise<CryptoKey | Uint8Array>>();

function verificationKey(settings: JwtSettings): Promise<CryptoKey | Uint8Array> {
  let key = keys.get(settings);
  if (!key) {
    const k = settings.key;
    key =
      k.kind === "secret"
        ? Promise.resolve(k.secret)
        : (importJWK(k.jwk, k.jwk.alg ?? settings.algorithms[0]) as Promise<CryptoKey>);
    keys.set(settings, key);
  }
  return key;
}

/** Verifies `token`; throws on any failure (the caller answers 401). */
export async function verifyAccessToken(
  token: string,
  settings: JwtSettings,
  now: Date,
): Promise<TokenClaims> {
  const { payload } = await jwtVerify(token, await verificationKey(settings), {
    algorithms: settings.algorithms,
    issuer: settings.issuer,
    audience: settings.audience,
    currentDate: now,
    requiredClaims: ["exp", "sub"],
    clockTolerance: 5,
  });
  return claimsOf(payload);
}

function claimsOf(payload: JWTPayload): TokenClaims {
  const tenantId = payload.tid;
  const role = payload.role;
  if (typeof tenantId !== "string" || !tenantId) throw new Error("token has no tenant (tid)");
  if (role !== "admin" && role !== "developer" && role !== "viewer") {
    throw new Error("token has no valid role");
  }
  const scope = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : null;
  return { subject: payload.sub ?? "", tenantId, role, scopes: scope ?? roleScopes[role] };
}
