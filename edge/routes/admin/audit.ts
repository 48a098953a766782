import type { OpenAPIHono } from "@hono/zod-openapi";
import { auditFilter, auditPage } from "../../../shared/api/admin-views.ts";
import { auditRoute } from "../../../shared/api/auth-routes.ts";
import { scopes } from "../../../shared/auth/scopes.ts";
import { listAudit } from "../../../shared/db/audit.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { requireScope } from "../../middleware/auth/index.ts";
import { openStore } from "../../store/db.ts";

/** Mounts `GET /v1/admin/audit` (`admin:audit`): the caller's tenant's admin actions. */
export function mountAuditRoutes(app: OpenAPIHono<EdgeEnv>): void {
  app.use("/v1/admin/audit", requireScope(scopes.adminAudit));
  app.openapi(auditRoute, async (c) => {
    const page = await listAudit(
      await openStore(settings(c).database),
      c.get("principal").tenantId,
      auditFilter(c.req.valid("query")),
    );
    return c.json(auditPage(page), 200);
  });
}
