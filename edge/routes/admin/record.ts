import type { Context } from "hono";
import { auditAs } from "../../../shared/identity/admin-routes.ts";
import type { EdgeEnv } from "../../env.ts";
import type { EdgeDb } from "../../store/types.ts";

/**
 * Writes the audit entry of an admin action the caller just made in its own tenant. Awaited
 * before the answer goes out, so an action the client saw succeed is always in the log.
 */
export function recordAdminAction(
  c: Context<EdgeEnv>,
  db: EdgeDb,
  action: string,
  target: string,
  detail: Record<string, unknown>,
  now: Date,
): Promise<void> {
  return auditAs(db, c.get("principal"), action, target, detail, now);
}
