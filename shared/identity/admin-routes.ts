/**
 * The admin API for keys, users and the audit log (`/v1/admin/keys`, `/users`, `/audit`),
 * served by both halves from this one module: the same checks (scopes, what a caller may grant,
 * the last-admin and self-lockout rules), the same queries and the same audit entries. Each half
 * mounts {@link identityAdminRoutes} behind its own authentication and says where its database
 * is.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { assertMayGrantRole, assertMayGrantScopes, lastAdminError } from "../api/admin-rules.ts";
import { apiKeyInfo, auditFilter, auditPage, userInfo } from "../api/admin-views.ts";
import { createApiApp } from "../api/app.ts";
import {
  auditRoute,
  createUserRoute,
  deleteUserRoute,
  disableUserRoute,
  enableUserRoute,
  listUsersRoute,
  setUserPasswordRoute,
  updateUserRoute,
} from "../api/auth-routes.ts";
import { ApiError } from "../api/errors.ts";
import { createApiKeyRoute, listApiKeysRoute, revokeApiKeyRoute } from "../api/routes.ts";
import { scopes } from "../auth/scopes.ts";
import { type AnySqliteDb, listAudit, recordAudit } from "../db/audit.ts";
import type { ApiKey, User } from "../db/schema/index.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys.ts";
import { actorOf, type IdentityEnv, type Principal, requireScope } from "./principal.ts";
import {
  createUser,
  deleteUser,
  findUser,
  lastAdminRefusal,
  listUsers,
  setUserDisabled,
  setUserPassword,
  setUserRole,
} from "./users.ts";

const DAY_MS = 86_400_000;

/** What a half supplies. */
export interface IdentityAdminDeps<E extends IdentityEnv> {
  /** The database of the request. */
  db(c: Context<E>): AnySqliteDb | Promise<AnySqliteDb>;
  /** The clock (injected in tests). */
  now(): number;
  /** Called after a key is revoked (the edge drops it from its isolate's key cache). */
  keyRevoked?(db: AnySqliteDb, key: ApiKey): void;
}

/**
 * Writes the audit entry of an admin action `principal` just made in its own tenant. Awaited
 * before the answer goes out, so an action the client saw succeed is always in the log.
 * `detail` must never hold secrets.
 */
export function auditAs(
  db: AnySqliteDb,
  principal: Principal,
  action: string,
  target: string | null,
  detail: Record<string, unknown>,
  now: Date,
): Promise<void> {
  return recordAudit(
    db,
    { tenantId: principal.tenantId, actor: actorOf(principal), action, target, detail },
    now,
  );
}

/** The user `id` of the caller's tenant, or 404. */
async function existingUser(db: AnySqliteDb, principal: Principal, id: string): Promise<User> {
  const user = await findUser(db, principal.tenantId, id);
  if (!user) throw new ApiError(404, `No user '${id}'.`, { code: "user_not_found" });
  return user;
}

/**
 * Refuses a change that takes admin rights from `user` (`verb`: demote, disable, delete) when
 * it is the tenant's last enabled admin (409 `last_admin`), or when callers would lock
 * themselves out (409 `self_lockout`).
 */
async function assertKeepsAdmin(
  db: AnySqliteDb,
  principal: Principal,
  user: User,
  verb: string,
): Promise<void> {
  const refusal = await lastAdminRefusal(db, user, verb);
  if (refusal) throw lastAdminError(refusal);
  if (principal.kind === "user" && principal.subject === user.id) {
    throw new ApiError(
      409,
      `You cannot ${verb} your own account (you would lock yourself out); ask another admin.`,
      { code: "self_lockout" },
    );
  }
}

/** The routes, on an app of their own for the half to mount with `app.route("/", …)`. */
export function identityAdminRoutes<E extends IdentityEnv>(
  deps: IdentityAdminDeps<E>,
): OpenAPIHono<E> {
  const app = createApiApp<E>();
  const at = () => new Date(deps.now());
  app.use("/v1/admin/keys", requireScope(scopes.adminKeys));
  app.use("/v1/admin/keys/*", requireScope(scopes.adminKeys));
  app.use("/v1/admin/users", requireScope(scopes.adminUsers));
  app.use("/v1/admin/users/*", requireScope(scopes.adminUsers));
  app.use("/v1/admin/audit", requireScope(scopes.adminAudit));

  app.openapi(createApiKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    // A key cannot hand out more than its creator holds.
    assertMayGrantScopes(principal.scopes, body.scopes);
    const now = at();
    const db = await deps.db(c);
    const { key, secret } = await createApiKey(
      db,
      {
        tenantId: principal.tenantId,
        name: body.name,
        scopes: body.scopes,
        expiresAt: body.expires_in_days
          ? new Date(now.getTime() + body.expires_in_days * DAY_MS)
          : null,
      },
      now,
    );
    const info = apiKeyInfo(key);
    await auditAs(
      db,
      principal,
      "api_key.create",
      `api_key:${key.id}`,
      { name: key.name, prefix: key.prefix, scopes: key.scopes, expires_at: info.expires_at },
      now,
    );
    return c.json({ ...info, key: secret }, 201);
  });

  app.openapi(listApiKeysRoute, async (c) => {
    const keys = await listApiKeys(await deps.db(c), c.get("principal").tenantId);
    return c.json({ object: "list" as const, data: keys.map(apiKeyInfo) }, 200);
  });

  app.openapi(revokeApiKeyRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    const db = await deps.db(c);
    const now = at();
    const key = await revokeApiKey(db, principal.tenantId, id, now);
    if (!key) throw new ApiError(404, `No live API key '${id}'.`, { code: "api_key_not_found" });
    deps.keyRevoked?.(db, key);
    await auditAs(
      db,
      principal,
      "api_key.revoke",
      `api_key:${key.id}`,
      { name: key.name, prefix: key.prefix },
      now,
    );
    return c.json(apiKeyInfo(key), 200);
  });

  app.openapi(createUserRoute, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    assertMayGrantRole(principal.scopes, body.role);
    const db = await deps.db(c);
    const now = at();
    const user = await createUser(db, { ...body, tenantId: principal.tenantId }, now);
    if (!user) {
      throw new ApiError(409, `The username '${body.username}' is taken.`, {
        code: "username_taken",
        param: "username",
      });
    }
    await auditAs(
      db,
      principal,
      "user.create",
      `user:${user.id}`,
      { username: user.username, role: user.role },
      now,
    );
    return c.json(userInfo(user), 201);
  });

  app.openapi(listUsersRoute, async (c) => {
    const users = await listUsers(await deps.db(c), c.get("principal").tenantId);
    return c.json({ object: "list" as const, data: users.map(userInfo) }, 200);
  });

  app.openapi(updateUserRoute, async (c) => {
    const { role } = c.req.valid("json");
    const principal = c.get("principal");
    const db = await deps.db(c);
    const user = await existingUser(db, principal, c.req.valid("param").id);
    assertMayGrantRole(principal.scopes, role);
    if (role !== "admin") await assertKeepsAdmin(db, principal, user, "demote");
    const now = at();
    const updated = (await setUserRole(db, user, role, now)) ?? user;
    await auditAs(
      db,
      principal,
      "user.role_change",
      `user:${user.id}`,
      { username: user.username, from: user.role, to: role },
      now,
    );
    return c.json(userInfo(updated), 200);
  });

  app.openapi(disableUserRoute, async (c) => {
    const principal = c.get("principal");
    const db = await deps.db(c);
    const user = await existingUser(db, principal, c.req.valid("param").id);
    await assertKeepsAdmin(db, principal, user, "disable");
    const now = at();
    const updated = (await setUserDisabled(db, user, true, now)) ?? user;
    await auditAs(
      db,
      principal,
      "user.disable",
      `user:${user.id}`,
      { username: user.username },
      now,
    );
    return c.json(userInfo(updated), 200);
  });

  app.openapi(enableUserRoute, async (c) => {
    const principal = c.get("principal");
    const db = await deps.db(c);
    const user = await existingUser(db, principal, c.req.valid("param").id);
    const now = at();
    const updated = (await setUserDisabled(db, user, false, now)) ?? user;
    await auditAs(
      db,
      principal,
      "user.enable",
      `user:${user.id}`,
      { username: user.username },
      now,
    );
    return c.json(userInfo(updated), 200);
  });

  app.openapi(setUserPasswordRoute, async (c) => {
    const principal = c.get("principal");
    const db = await deps.db(c);
    const user = await existingUser(db, principal, c.req.valid("param").id);
    const now = at();
    const updated = (await setUserPassword(db, user, c.req.valid("json").password, now)) ?? user;
    // The password itself is never recorded.
    await auditAs(
      db,
      principal,
      "user.password_reset",
      `user:${user.id}`,
      { username: user.username },
      now,
    );
    return c.json(userInfo(updated), 200);
  });

  app.openapi(deleteUserRoute, async (c) => {
    const principal = c.get("principal");
    const db = await deps.db(c);
    const user = await existingUser(db, principal, c.req.valid("param").id);
    await assertKeepsAdmin(db, principal, user, "delete");
    const deleted = await deleteUser(db, user);
    if (!deleted) throw new ApiError(404, `No user '${user.id}'.`, { code: "user_not_found" });
    await auditAs(
      db,
      principal,
      "user.delete",
      `user:${user.id}`,
      { username: user.username, role: user.role },
      at(),
    );
    return c.json(userInfo(deleted), 200);
  });

  app.openapi(auditRoute, async (c) => {
    const page = await listAudit(
      await deps.db(c),
      c.get("principal").tenantId,
      auditFilter(c.req.valid("query")),
    );
    return c.json(auditPage(page), 200);
  });

  return app;
}
