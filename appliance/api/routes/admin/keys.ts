import type { OpenAPIHono } from "@hono/zod-openapi";
import { assertMayGrantScopes } from "../../../../shared/api/admin-rules.ts";
import { apiKeyInfo } from "../../../../shared/api/admin-views.ts";
import { ApiError } from "../../../../shared/api/errors.ts";
import {
  createApiKeyRoute,
  listApiKeysRoute,
  revokeApiKeyRoute,
} from "../../../../shared/api/routes.ts";
import { scopes } from "../../../../shared/auth/scopes.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../../../store/queries/api-keys.ts";
import { auditRequest } from "../../audit.ts";
import { requireScope } from "../../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../../types.ts";

const DAY_MS = 86_400_000;

/**
 * Mounts the edge's API key routes (`admin:keys`) on the appliance: the caller's own tenant's
 * keys, made and revoked with the same store code as `textnlp-appliance keys`.
 */
export function mountApiKeyRoutes(app: OpenAPIHono<ApplianceEnv>, { db }: ApplianceServices) {
  app.use("/v1/admin/keys", requireScope(scopes.adminKeys));
  app.use("/v1/admin/keys/*", requireScope(scopes.adminKeys));

  app.openapi(createApiKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    assertMayGrantScopes(principal.scopes, body.scopes);
    const { key, secret } = await createApiKey(db, {
      tenantId: principal.tenantId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expires_in_days ? new Date(Date.now() + body.expires_in_days * DAY_MS) : null,
    });
    const info = apiKeyInfo(key);
    await auditRequest(c, db, "api_key.create", `api_key:${key.id}`, {
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      expires_at: info.expires_at,
    });
    return c.json({ ...info, key: secret }, 201);
  });

  app.openapi(listApiKeysRoute, (c) =>
    c.json(
      {
        object: "list" as const,
        data: listApiKeys(db, c.get("principal").tenantId).map(apiKeyInfo),
      },
      200,
    ),
  );

  app.openapi(revokeApiKeyRoute, async (c) => {
    const { id } = c.req.valid("param");
    const key = revokeApiKey(db, id, { tenantId: c.get("principal").tenantId });
    if (!key) throw new ApiError(404, `No live API key '${id}'.`, { code: "api_key_not_found" });
    await auditRequest(c, db, "api_key.revoke", `api_key:${key.id}`, {
      name: key.name,
      prefix: key.prefix,
    });
    return c.json(apiKeyInfo(key), 200);
  });
}
