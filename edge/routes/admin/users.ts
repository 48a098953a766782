import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { assertMayGrantRole, lastAdminError } from "../../../shared/api/admin-rules.ts";
import { userInfo } from "../../../shared/api/admin-views.ts";
import {
  createUserRoute,
  deleteUserRoute,
  listUsersRoute,
  updateUserRoute,
} from "../../../shared/api/auth-routes.ts";
import { ApiError } from "../../../shared/api/errors.ts";
import { hashPassword } from "../../../shared/auth/password.ts";
import { scopes } from "../../../shared/auth/scopes.ts";
import type { Role, User } from "../../../shared/db/schema/index.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { requireScope } from "../../middleware/auth/index.ts";
import { openStore } from "../../store/db.ts";
import type { EdgeDb } from "../../store/types.ts";
import {
  countAdmins,
  createUser,
  deleteUser,
  findUser,
  listUsers,
  setUserRole,
} from "../../store/users.ts";
import { recordAdminAction } from "./record.ts";

/** A caller cannot hand out a role whose scopes it does not hold itself. */
const assertMayGrant = (c: Context<EdgeEnv>, role: Role) =>
  assertMayGrantRole(c.get("principal").scopes, role);

async function existingUser(db: EdgeDb, tenantId: string, id: string): Promise<User> {
  const user = await findUser(db, tenantId, id);
  if (!user) throw new ApiError(404, `No user '${id}'.`, { code: "user_not_found" });
  return user;
}

/** A tenant keeps at least one admin, or nobody could administer it through the API again. */
async function assertNotLastAdmin(db: EdgeDb, user: User): Promise<void> {
  if (user.role === "admin" && (await countAdmins(db, user.tenantId)) <= 1) {
    throw lastAdminError();
  }
}

/**
 * Mounts the user admin routes (`admin:users` scope): users of the caller's own tenant, who
 * sign in with `POST /v1/auth/token`. Another tenant's users are neither listed nor found.
 */
export function mountUserRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.use("/v1/admin/users", requireScope(scopes.adminUsers));
  app.use("/v1/admin/users/*", requireScope(scopes.adminUsers));

  app.openapi(createUserRoute, async (c) => {
    const body = c.req.valid("json");
    assertMayGrant(c, body.role);
    const principal = c.get("principal");
    const db = await openStore(settings(c).database);
    const at = new Date(now());
    const user = await createUser(
      db,
      {
        tenantId: principal.tenantId,
        username: body.username,
        passwordHash: await hashPassword(body.password),
        role: body.role,
      },
      at,
    );
    if (!user) {
      throw new ApiError(409, `The username '${body.username}' is taken.`, {
        code: "username_taken",
        param: "username",
      });
    }
    await recordAdminAction(
      c,
      db,
      "user.create",
      `user:${user.id}`,
      { username: user.username, role: user.role },
      at,
    );
    return c.json(userInfo(user), 201);
  });

  app.openapi(listUsersRoute, async (c) => {
    const users = await listUsers(
      await openStore(settings(c).database),
      c.get("principal").tenantId,
    );
    return c.json({ object: "list" as const, data: users.map((user) => userInfo(user)) }, 200);
  });

  app.openapi(updateUserRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { role } = c.req.valid("json");
    const principal = c.get("principal");
    const db = await openStore(settings(c).database);
    const user = await existingUser(db, principal.tenantId, id);
    assertMayGrant(c, role);
    if (role !== "admin") await assertNotLastAdmin(db, user);
    const updated = await setUserRole(db, principal.tenantId, id, role);
    if (!updated) throw new ApiError(404, `No user '${id}'.`, { code: "user_not_found" });
    await recordAdminAction(
      c,
      db,
      "user.role_change",
      `user:${id}`,
      { username: user.username, from: user.role, to: role },
      new Date(now()),
    );
    return c.json(userInfo(updated), 200);
  });

  app.openapi(deleteUserRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    const db = await openStore(settings(c).database);
    const user = await existingUser(db, principal.tenantId, id);
    await assertNotLastAdmin(db, user);
    const deleted = await deleteUser(db, principal.tenantId, id);
    if (!deleted) throw new ApiError(404, `No user '${id}'.`, { code: "user_not_found" });
    await recordAdminAction(
      c,
      db,
      "user.delete",
      `user:${id}`,
      { username: user.username, role: user.role },
      new Date(now()),
    );
    return c.json(userInfo(deleted), 200);
  });
}
