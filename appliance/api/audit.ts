/**
 * The appliance's side of the audit log (`shared/db/audit.ts` writes it, the same rows as the
 * edge): who a request acts as, and the entry of an admin action a route just made.
 */
import type { Context } from "hono";
import { type AuditActor, recordAudit } from "../../shared/db/audit.ts";
import type { Db } from "../store/db.ts";
import type { ApplianceEnv, Principal } from "./types.ts";

/**
 * The audit log's name for a principal: the panel's admin, the API key, or (no credentials:
 * the open loopback API, the hybrid link) a `system` actor saying which.
 */
export function actorOf(principal: Principal): AuditActor {
  if (principal.userId) return { kind: "user", id: principal.userId };
  if (principal.keyId) return { kind: "api_key", id: principal.keyId };
  return { kind: "system", id: "api (no key)" };
}

/** Who a request acts as: its `/v1` principal, or the admin logged in to the panel. */
export function requestActor(c: Context<ApplianceEnv>): { tenantId: string; actor: AuditActor } {
  const login = c.get("panelLogin");
  if (login) return { tenantId: login.user.tenantId, actor: { kind: "user", id: login.user.id } };
  const principal = c.get("principal");
  return { tenantId: principal.tenantId, actor: actorOf(principal) };
}

/**
 * Writes the entry of an admin action the request just made, before the answer goes out (an
 * action the client saw succeed is always in the log). `detail` must never hold secrets.
 */
export function auditRequest(
  c: Context<ApplianceEnv>,
  db: Db,
  action: string,
  target: string | null,
  detail?: Record<string, unknown>,
): Promise<void> {
  return recordAudit(db, { ...requestActor(c), action, target, detail }, new Date());
}
