/**
 * Tokens from an external OpenID Connect identity provider, verified with jose against the
 * provider's JWKS (fetched through the injected fetch, cached, refetched on an unknown `kid`
 * at most every 30 s), its issuer, our audience, expiry and an algorithm allow-list. Claims
 * name the tenant and the role; which claims, and how IdP values map to roles, is configured.
 */
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { roleScopes } from "../../../shared/auth/scopes.ts";
import { type Role, roles } from "../../../shared/db/schema/users.ts";
import { type TokenClaims, verifyWithRules } from "./jwt.ts";

/** How identity-provider tokens are checked and mapped (from edge/env.ts). */
export interface OidcSettings {
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** Only these `alg` values are accepted (never HMAC or `none`). */
  algorithms: string[];
  /** The claim holding the tenant id. */
  tenantClaim: string;
  /** The claim holding the role: a string or an array (e.g. groups); the strongest match wins. */
  roleClaim: string;
  /** IdP values to roles (`{"textnlp-admins": "admin"}`); role names map to themselves. */
  roleMap: Record<string, Role>;
  /** Role for a token whose role claim maps to nothing; null refuses such tokens. */
  defaultRole: Role | null;
}

/** The fetch the JWKS is loaded with (the gateway's injected one). */
export type JwksFetch = (input: string, init?: RequestInit) => Promise<Response>;

const keySets = new WeakMap<OidcSettings, JWTVerifyGetKey>();

function keySet(settings: OidcSettings, fetch: JwksFetch): JWTVerifyGetKey {
  let set = keySets.get(settings);
  if (!set) {
    set = createRemoteJWKSet(new URL(settings.jwksUrl), {
      [customFetch]: (url, init) => fetch(url, init as RequestInit),
    });
    keySets.set(settings, set);
  }
  return set;
}

/** True when an (unverified) token claims to come from the configured identity provider. */
export function isIdentityProviderToken(token: string, settings: OidcSettings): boolean {
  try {
    return decodeJwt(token).iss === settings.issuer;
  } catch {
    return false;
  }
}

/** Verifies an identity-provider token and maps it to a tenant and role; throws when refused. */
export async function verifyIdentityToken(
  token: string,
  settings: OidcSettings,
  fetch: JwksFetch,
  now: Date,
): Promise<TokenClaims> {
  const payload = await verifyWithRules(token, keySet(settings, fetch), settings, now);
  const tenantId = payload[settings.tenantClaim];
  if (typeof tenantId !== "string" || !tenantId) throw new Error("token names no tenant");
  const role = mapRole(payload, settings);
  if (!role) throw new Error("token maps to no role");
  return { subject: payload.sub ?? "", tenantId, role, scopes: [...roleScopes[role]] };
}

function mapRole(payload: JWTPayload, settings: OidcSettings): Role | null {
  const raw = payload[settings.roleClaim];
  const values = Array.isArray(raw) ? raw : [raw];
  const mapped = values
    .filter((v): v is string => typeof v === "string")
    .map((v) => settings.roleMap[v] ?? (roles.includes(v as Role) ? (v as Role) : null))
    .filter((r): r is Role => r !== null);
  // `roles` runs from most to least privileged: the first one held wins.
  return roles.find((r) => mapped.includes(r)) ?? settings.defaultRole;
}
