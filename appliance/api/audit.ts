/**
 * The appliance's side of the audit log (`shared/db/audit.ts` writes it, the same rows as the
 * edge): who a request acts as, and the entry of an admin action a route just made.
 */
import type { Context } from "hono";
import type { User } from "../../shared/db/schema/index.ts";
import { auditAs } from "../../shared/identity/admin-routes.ts";
import type { Principal } from "../../shared/identity/principal.ts";
import type { Db } from "../store/db.ts";
import type { ApplianceEnv } from "./types.ts";

/** An admin logged in to the panel: every scope of their tenant. */
export function panelPrincipal(user: User): Principal {
  return { kind: "user", tenantId: user.tenantId, scopes: ["*"], keyId: null, subject: user.id };
}

/**
 * Writes the entry of an admin action the request just made (as the admin logged in to the
 * panel, or as its `/v1` principal), before the answer goes out: an action the client saw
 * succeed is always in the log. `detail` must never hold secrets.
 */
export function auditRequest(
  c: Context<ApplianceEnv>,
  db: Db,
  action: string,
  target: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const login = c.get("panelLogin");
  const principal = login ? panelPrincipal(login.user) : c.get("principal");
  return auditAs(db, principal, action, target, detail, new Date());
}
