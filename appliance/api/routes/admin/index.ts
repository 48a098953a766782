import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApplianceEnv, ApplianceServices } from "../../types.ts";
import { mountAuditRoutes } from "./audit.ts";
import { mountApiKeyRoutes } from "./keys.ts";
import { mountUserRoutes } from "./users.ts";

/**
 * Mounts the admin API the edge also serves (`/v1/admin/keys`, `/users`, `/audit`, defined once
 * in `shared/api`), plus the appliance's user extras (disable, enable, password reset).
 */
export function mountAdminRoutes(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices) {
  mountApiKeyRoutes(app, services);
  mountUserRoutes(app, services);
  mountAuditRoutes(app, services);
}
