import type { OpenAPIHono } from "@hono/zod-openapi";
import { auditRoute } from "../../../shared/api/auth-routes.ts";
import { ApiError } from "../../../shared/api/errors.ts";
import type { AuditEntryInfo } from "../../../shared/api/schemas/auth.ts";
import { scopes } from "../../../shared/auth/scopes.ts";
import type { AuditEntry } from "../../../shared/db/schema/index.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { requireScope } from "../../middleware/auth/index.ts";
import { type AuditCursor, listAudit } from "../../store/audit.ts";
import { openStore } from "../../store/db.ts";

function entryInfo(entry: AuditEntry): AuditEntryInfo {
  return {
    id: entry.id,
    object: "audit_entry",
    actor: { kind: entry.actorKind, id: entry.actorId },
    action: entry.action,
    target: entry.target,
    detail: entry.detail,
    created_at: entry.createdAt.getTime(),
  };
}

/** Cursors are opaque to clients: base64url of `<created_at>:<id>` of a page's last entry. */
const encodeCursor = (entry: AuditEntry) =>
  btoa(`${entry.createdAt.getTime()}:${entry.id}`).replace(/=+$/, "");

function decodeCursor(cursor: string): AuditCursor {
  try {
    const match = /^(\d+):(.+)$/.exec(atob(cursor));
    if (match?.[1] && match[2]) return { createdAt: Number(match[1]), id: match[2] };
  } catch {
    // not base64: refused below
  }
  throw new ApiError(400, "'cursor' is not a cursor this API returned.", {
    param: "cursor",
    code: "invalid_value",
  });
}

/** Mounts `GET /v1/admin/audit` (`admin:audit`): the caller's tenant's admin actions. */
export function mountAuditRoutes(app: OpenAPIHono<EdgeEnv>): void {
  app.use("/v1/admin/audit", requireScope(scopes.adminAudit));
  app.openapi(auditRoute, async (c) => {
    const query = c.req.valid("query");
    const { entries, hasMore } = await listAudit(
      await openStore(settings(c).database),
      c.get("principal").tenantId,
      {
        action: query.action,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      },
    );
    const last = entries.at(-1);
    return c.json(
      {
        object: "list" as const,
        data: entries.map(entryInfo),
        has_more: hasMore,
        next_cursor: hasMore && last ? encodeCursor(last) : null,
      },
      200,
    );
  });
}
