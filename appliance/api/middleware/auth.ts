import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../shared/api/errors.ts";
import { bearerToken } from "../../../shared/auth/api-keys.ts";
import {
  countActiveApiKeys,
  findActiveApiKey,
  touchApiKey,
} from "../../../shared/identity/api-keys.ts";
import { keyPrincipal, openPrincipal } from "../../../shared/identity/principal.ts";
import type { Db } from "../../store/db.ts";
import { LOCAL_TENANT } from "../../store/queries/tenants.ts";
import { panelPrincipal } from "../audit.ts";
import type { ApplianceEnv } from "../types.ts";
import { assertSameOrigin, checkCsrfToken, readPanelSession } from "./panel-session.ts";

/** Options of {@link apiKeyAuth}. */
export interface ApiKeyAuthOptions {
  db: Db;
  /** True when bound to loopback: with no keys configured, the API is then open. */
  loopback: boolean;
  /** Served over TLS (names the admin panel's session cookie). */
  secure?: boolean;
}

/**
 * Authenticates `Authorization: Bearer <key>` (or `x-api-key`) against the hashed keys. With no
 * live keys and a loopback bind, every request acts as the local tenant with all scopes. A
 * request with no key but the admin panel's session cookie acts as that admin (all scopes of
 * its tenant), and a change needs the panel's origin and the session's CSRF token.
 */
export function apiKeyAuth({
  db,
  loopback,
  secure = false,
}: ApiKeyAuthOptions): MiddlewareHandler<ApplianceEnv> {
  return async function apiKeyAuthHandler(c, next) {
    const linked = c.env?.linkPrincipal;
    if (linked) {
      // Came down the hybrid link (appliance/link), in-process: the edge checked the caller.
      c.set("principal", linked);
      return next();
    }
    const sendsKey = c.req.header("authorization") || c.req.header("x-api-key");
    const login = sendsKey ? undefined : readPanelSession(c, db, secure);
    if (login) {
      assertSameOrigin(c);
      checkCsrfToken(c, login.session);
      c.set("principal", panelPrincipal(login.user));
      return next();
    }
    const now = new Date();
    if (loopback && (await countActiveApiKeys(db, now)) === 0) {
      // Open mode: whatever key a client sends (SDKs always send one) is ignored.
      c.set("principal", openPrincipal(LOCAL_TENANT, ["*"]));
      return next();
    }
    const secret = bearerToken(c.req.header("authorization")) ?? c.req.header("x-api-key") ?? null;
    if (!secret) {
      throw new ApiError(
        401,
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
        {
          code: "missing_api_key",
        },
      );
    }
    const key = await findActiveApiKey(db, secret, now);
    if (!key) throw new ApiError(401, "Incorrect API key provided.", { code: "invalid_api_key" });
    await touchApiKey(db, key.id, now);
    c.set("principal", keyPrincipal(key));
    return next();
  };
}

export { requireScope } from "../../../shared/identity/principal.ts";
