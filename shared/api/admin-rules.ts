/**
 * The rules of the admin routes that both servers enforce the same way: nobody hands out more
 * than they hold, and a tenant keeps an admin.
 */
import { hasScope } from "../auth/api-keys.ts";
import { roleScopes } from "../auth/scopes.ts";
import type { Role } from "../db/schema/users.ts";
import { ApiError } from "./errors.ts";

/** A new key cannot carry a scope its creator does not hold (403 naming `scopes`). */
export function assertMayGrantScopes(held: readonly string[], wanted: readonly string[]): void {
  const excess = wanted.find((scope) => !hasScope(held, scope));
  if (excess) {
    throw new ApiError(403, `Cannot grant '${excess}': the caller does not hold it.`, {
      code: "insufficient_scope",
      param: "scopes",
    });
  }
}

/** A caller cannot hand out a role whose scopes it does not hold itself (403 naming `role`). */
export function assertMayGrantRole(held: readonly string[], role: Role): void {
  const excess = roleScopes[role].find((scope) => !hasScope(held, scope));
  if (excess) {
    throw new ApiError(403, `Cannot grant the '${role}' role: the caller lacks '${excess}'.`, {
      code: "insufficient_scope",
      param: "role",
    });
  }
}

/** The 409 for a change that would leave the tenant with no enabled admin. */
export const lastAdminError = (message = "This is the tenant's last admin.") =>
  new ApiError(409, message, { code: "last_admin" });
