import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { assertMayGrantRole, lastAdminError } from "../../../../shared/api/admin-rules.ts";
import { userInfo as toUserInfo } from "../../../../shared/api/admin-views.ts";
import {
  createUserRoute,
  deleteUserRoute,
  disableUserRoute,
  enableUserRoute,
  listUsersRoute,
  setUserPasswordRoute,
  updateUserRoute,
} from "../../../../shared/api/auth-routes.ts";
import { ApiError } from "../../../../shared/api/errors.ts";
import { scopes } from "../../../../shared/auth/scopes.ts";
import type { User } from "../../../../shared/db/schema/index.ts";
import type { Db } from "../../../store/db.ts";
import {
  createUser,
  deleteUser,
  findUser,
  findUserById,
  lastAdminRefusal,
  listUsers,
  setUserDisabled,
  setUserPassword,
  setUserRole,
} from "../../../store/queries/users.ts";
import { auditRequest } from "../../audit.ts";
import { requireScope } from "../../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../../types.ts";

/** The appliance says when a user was disabled (the edge's answer leaves it out). */
const userInfo = (user: User) => toUserInfo(user, { withDisabled: true });

function existingUser(c: Context<ApplianceEnv>, db: Db, id: string): User {
  const user = findUserById(db, c.get("principal").tenantId, id);
  if (!user) throw new ApiError(404, `No user '${id}'.`, { code: "user_not_found" });
  return user;
}

/**
 * Refuses a change that takes admin rights away from `user` (`verb`: demote, disable, delete)
 * when it is the tenant's last enabled admin, or when the admin would lock themselves out.
 */
function assertKeepsAdmin(c: Context<ApplianceEnv>, db: Db, user: User, verb: string): void {
  const refusal = lastAdminRefusal(db, user, verb);
  if (refusal) throw lastAdminError(refusal);
  if (c.get("principal").userId === user.id)
    throw new ApiError(
      409,
      `You cannot ${verb} your own account (you would lock yourself out); ask another admin.`,
      { code: "self_lockout" },
    );
}

/**
 * Mounts the edge's user routes (`admin:users`) and the appliance's extras: disable, enable,
 * password reset. Users here are the panel's people (only admins may log in to it); the CLI's
 * `textnlp-appliance users` shares the store code.
 */
export function mountUserRoutes(app: OpenAPIHono<ApplianceEnv>, { db }: ApplianceServices) {
  app.use("/v1/admin/users", requireScope(scopes.adminUsers));
  app.use("/v1/admin/users/*", requireScope(scopes.adminUsers));

  app.openapi(createUserRoute, async (c) => {
    const body = c.req.valid("json");
    const { tenantId, scopes: held } = c.get("principal");
    assertMayGrantRole(held, body.role);
    if (findUser(db, body.username, tenantId))
      throw new ApiError(409, `The username '${body.username}' is taken.`, {
        code: "username_taken",
        param: "username",
      });
    const user = await createUser(db, { ...body, tenantId });
    await auditRequest(c, db, "user.create", `user:${user.id}`, {
      username: user.username,
      role: user.role,
    });
    return c.json(userInfo(user), 201);
  });

  app.openapi(listUsersRoute, (c) =>
    c.json(
      { object: "list" as const, data: listUsers(db, c.get("principal").tenantId).map(userInfo) },
      200,
    ),
  );

  app.openapi(updateUserRoute, async (c) => {
    const { role } = c.req.valid("json");
    const user = existingUser(c, db, c.req.valid("param").id);
    assertMayGrantRole(c.get("principal").scopes, role);
    if (role !== "admin") assertKeepsAdmin(c, db, user, "demote");
    const updated = setUserRole(db, user.id, role) ?? user;
    await auditRequest(c, db, "user.role_change", `user:${user.id}`, {
      username: user.username,
      from: user.role,
      to: role,
    });
    return c.json(userInfo(updated), 200);
  });

  app.openapi(disableUserRoute, async (c) => {
    const user = existingUser(c, db, c.req.valid("param").id);
    assertKeepsAdmin(c, db, user, "disable");
    const updated = setUserDisabled(db, user.id, true) ?? user;
    await auditRequest(c, db, "user.disable", `user:${user.id}`, { username: user.username });
    return c.json(userInfo(updated), 200);
  });

  app.openapi(enableUserRoute, async (c) => {
    const user = existingUser(c, db, c.req.valid("param").id);
    const updated = setUserDisabled(db, user.id, false) ?? user;
    await auditRequest(c, db, "user.enable", `user:${user.id}`, { username: user.username });
    return c.json(userInfo(updated), 200);
  });

  app.openapi(setUserPasswordRoute, async (c) => {
    const user = existingUser(c, db, c.req.valid("param").id);
    const updated = (await setUserPassword(db, user.id, c.req.valid("json").password)) ?? user;
    // The password itself is never recorded.
    await auditRequest(c, db, "user.password_reset", `user:${user.id}`, {
      username: user.username,
    });
    return c.json(userInfo(updated), 200);
  });

  app.openapi(deleteUserRoute, async (c) => {
    const user = existingUser(c, db, c.req.valid("param").id);
    assertKeepsAdmin(c, db, user, "delete");
    deleteUser(db, user.id);
    await auditRequest(c, db, "user.delete", `user:${user.id}`, {
      username: user.username,
      role: user.role,
    });
    return c.json(userInfo(user), 200);
  });
}
