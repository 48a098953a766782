/**
 * Who a request acts as, the same on both halves: how it authenticated, its tenant and scopes,
 * and the key or person behind it. Each half's auth middleware sets it; the admin routes, the
 * audit log and the limits read it.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api/errors.ts";
import { hasScope } from "../auth/api-keys.ts";
import type { AuditActor } from "../db/audit.ts";
import type { ApiKey } from "../db/schema/index.ts";

/** Who a request acts as. */
export interface Principal {
  /**
   * How it authenticated: an API key; a user of ours (an access token, the appliance's panel
   * session); the external identity provider (`oidc`); or no credentials at all (`open`: the
   * appliance's loopback API with no keys, or a request the edge sent down the hybrid link).
   */
  kind: "api_key" | "user" | "oidc" | "open";
  tenantId: string;
  scopes: string[];
  /** The API key used, or null. */
  keyId: string | null;
  /** The user's id (`user`), the identity provider's subject (`oidc`), or null. */
  subject: string | null;
}

/** The principal of a request made with an API key: the key's tenant and scopes. */
export function keyPrincipal(key: ApiKey): Principal {
  return {
    kind: "api_key",
    tenantId: key.tenantId,
    scopes: key.scopes,
    keyId: key.id,
    subject: null,
  };
}

/** The principal of a request with no credentials (see {@link Principal.kind}). */
export function openPrincipal(tenantId: string, scopes: string[]): Principal {
  return { kind: "open", tenantId, scopes, keyId: null, subject: null };
}

/** The audit log's name for a principal. */
export function actorOf(principal: Principal): AuditActor {
  switch (principal.kind) {
    case "api_key":
      return { kind: "api_key", id: principal.keyId ?? "" };
    case "user":
      return { kind: "user", id: principal.subject ?? "" };
    case "oidc":
      return { kind: "token", id: principal.subject ?? "" };
    case "open":
      return { kind: "system", id: "api (no key)" };
  }
}

/** The Hono environment both halves' apps extend: the principal their auth middleware sets. */
export type IdentityEnv = { Variables: { principal: Principal } };

/** Refuses a request whose principal lacks `scope` with 403. */
export function requireScope(scope: string): MiddlewareHandler<IdentityEnv> {
  return async function requireScopeHandler(c, next) {
    if (!hasScope(c.get("principal").scopes, scope)) {
      throw new ApiError(403, `These credentials lack the '${scope}' scope.`, {
        code: "insufficient_scope",
      });
    }
    return next();
  };
}
