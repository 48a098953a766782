/**
 * Sign-in for users of the edge: `POST /v1/auth/token` (tenant, username, password → a short
 * access JWT and an opaque refresh token), `POST /v1/auth/refresh` (rotation; a spent token
 * presented again revokes its whole family) and `POST /v1/auth/logout` (revokes the family).
 * These routes carry their own credentials, so they sit outside the bearer-auth middleware.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { logoutRoute, refreshRoute, tokenRoute } from "../../shared/api/auth-routes.ts";
import { ApiError } from "../../shared/api/errors.ts";
import type { TokenResponse } from "../../shared/api/schemas/auth.ts";
import { randomId } from "../../shared/auth/api-keys.ts";
import { verifyPassword } from "../../shared/auth/password.ts";
import { recordAudit } from "../../shared/db/audit.ts";
import type { User } from "../../shared/db/schema/index.ts";
import {
  clearLoginFailures,
  type LockoutPolicy,
  lockedUntil,
  recordLoginFailure,
} from "../../shared/identity/login-failures.ts";
import { findUser, findUserByName } from "../../shared/identity/users.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { type JwtSettings, signAccessToken } from "../middleware/auth/index.ts";
import { openStore } from "../store/db.ts";
import {
  findRefreshToken,
  issueRefreshToken,
  revokeFamily,
  useRefreshToken,
} from "../store/refresh-tokens.ts";
import type { EdgeDb } from "../store/types.ts";

/** Five wrong passwords in a row lock the name for 15 minutes. */
const LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMs: 15 * 60_000 };

const badCredentials = () =>
  new ApiError(401, "Incorrect tenant, username or password.", { code: "invalid_credentials" });
const badRefresh = () =>
  new ApiError(401, "Invalid, expired or revoked refresh token. Sign in again.", {
    code: "invalid_refresh_token",
  });

const reused = () =>
  new ApiError(
    401,
    "This refresh token was already used; every token of its sign-in is now revoked. Sign in again.",
    { code: "refresh_token_reused" },
  );

function locked(until: Date, now: Date): ApiError {
  return new ApiError(429, "Too many failed sign-ins for this name; try again later.", {
    code: "login_locked",
    retryAfter: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}

/** The signing settings, or a 400 when this gateway issues no tokens. */
function signingSettings(c: Context<EdgeEnv>): JwtSettings {
  const jwt = settings(c).jwt;
  if (!jwt?.signing) {
    throw new ApiError(400, "Sign-in is off: set JWT_SECRET or JWT_PRIVATE_JWK.", {
      code: "feature_disabled",
    });
  }
  return jwt;
}

async function issueTokens(
  db: EdgeDb,
  jwt: JwtSettings,
  user: User,
  familyId: string,
  now: Date,
): Promise<TokenResponse> {
  const [accessToken, refreshToken] = await Promise.all([
    signAccessToken(user, jwt, now),
    issueRefreshToken(
      db,
      { tenantId: user.tenantId, userId: user.id, familyId, ttlMs: jwt.refreshTtlSeconds * 1000 },
      now,
    ),
  ]);
  // Only a rotation can find its family revoked: a concurrent use of the same token lost it.
  if (!refreshToken) throw reused();
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: jwt.accessTtlSeconds,
    refresh_token: refreshToken,
    refresh_expires_in: jwt.refreshTtlSeconds,
  };
}

/** Mounts the sign-in routes. */
export function mountAuthRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.openapi(tokenRoute, async (c) => {
    const jwt = signingSettings(c);
    const { tenant, username, password } = c.req.valid("json");
    const db = await openStore(settings(c).database);
    const at = new Date(now());
    const lockEnds = await lockedUntil(db, tenant, username, at);
    if (lockEnds) throw locked(lockEnds, at);
    const user = await findUserByName(db, tenant, username, { enabledOnly: true });
    // Always the full scrypt work, so an unknown name answers as slowly as a wrong password.
    const valid = await verifyPassword(password, user?.passwordHash ?? null);
    if (!user || !valid) {
      const lockedNow = await recordLoginFailure(db, tenant, username, LOCKOUT, at);
      if (lockedNow) throw locked(lockedNow, at);
      throw badCredentials();
    }
    await clearLoginFailures(db, tenant, username);
    c.header("cache-control", "no-store");
    return c.json(await issueTokens(db, jwt, user, randomId("fam_"), at), 200);
  });

  app.openapi(refreshRoute, async (c) => {
    const jwt = signingSettings(c);
    const db = await openStore(settings(c).database);
    const at = new Date(now());
    const result = await useRefreshToken(db, c.req.valid("json").refresh_token, at);
    if (result.outcome === "reused") {
      await recordAudit(
        db,
        {
          tenantId: result.tenantId,
          actor: { kind: "user", id: result.userId },
          action: "refresh_token.reuse",
          target: `user:${result.userId}`,
          detail: { family_id: result.familyId },
        },
        at,
      );
      throw reused();
    }
    if (result.outcome === "invalid") throw badRefresh();
    const user = await findUser(db, result.token.tenantId, result.token.userId, {
      enabledOnly: true,
    });
    if (!user) {
      await revokeFamily(db, result.token.familyId, at);
      throw badRefresh();
    }
    c.header("cache-control", "no-store");
    return c.json(await issueTokens(db, jwt, user, result.token.familyId, at), 200);
  });

  app.openapi(logoutRoute, async (c) => {
    const db = await openStore(settings(c).database);
    const token = await findRefreshToken(db, c.req.valid("json").refresh_token);
    if (!token) throw badRefresh();
    await revokeFamily(db, token.familyId, new Date(now()));
    return c.body(null, 204);
  });
}
