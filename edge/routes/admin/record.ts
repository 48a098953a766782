import type { Context } from "hono";
import { recordAudit } from "../../../shared/db/audit.ts";
import type { EdgeEnv } from "../../env.ts";
import { actorOf } from "../../middleware/auth/index.ts";
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
  const principal = c.get("principal");
  return recordAudit(
    db,
    { tenantId: principal.tenantId, actor: actorOf(principal), action, target, detail },
    now,
  );
}
