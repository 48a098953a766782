import type { OpenAPIHono } from "@hono/zod-openapi";
import { assertMayGrantScopes } from "../../../shared/api/admin-rules.ts";
import { apiKeyInfo as keyInfo } from "../../../shared/api/admin-views.ts";
import { ApiError } from "../../../shared/api/errors.ts";
import {
  createApiKeyRoute,
  listApiKeysRoute,
  revokeApiKeyRoute,
} from "../../../shared/api/routes.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { requireScope } from "../../middleware/auth/index.ts";
import { forgetApiKey } from "../../middleware/auth/key-cache.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../../store/api-keys.ts";
import { openStore } from "../../store/db.ts";
import { recordAdminAction } from "./record.ts";

const DAY_MS = 86_400_000;
const ms = (date: Date | null) => (date ? date.getTime() : null);

/**
 * Mounts the API key admin routes (`admin:keys` scope). Everything acts on the caller's own
 * tenant: another tenant's keys are neither listed nor found.
 */
export function mountApiKeyRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.use("/v1/admin/keys", requireScope("admin:keys"));
  app.use("/v1/admin/keys/*", requireScope("admin:keys"));

  app.openapi(createApiKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    // A key cannot hand out more than its creator holds.
    assertMayGrantScopes(principal.scopes, body.scopes);
    const at = now();
    const db = await openStore(settings(c).database);
    const { key, secret } = await createApiKey(
      db,
      {
        tenantId: principal.tenantId,
        name: body.name,
        scopes: body.scopes,
        expiresAt: body.expires_in_days ? new Date(at + body.expires_in_days * DAY_MS) : null,
      },
      new Date(at),
    );
    await recordAdminAction(
      c,
      db,
      "api_key.create",
      `api_key:${key.id}`,
      { name: key.name, scopes: key.scopes, expires_at: ms(key.expiresAt) },
      new Date(at),
    );
    return c.json({ ...keyInfo(key), key: secret }, 201);
  });

  app.openapi(listApiKeysRoute, async (c) => {
    const keys = await listApiKeys(
      await openStore(settings(c).database),
      c.get("principal").tenantId,
    );
    return c.json({ object: "list" as const, data: keys.map(keyInfo) }, 200);
  });

  app.openapi(revokeApiKeyRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    const db = await openStore(settings(c).database);
    const at = new Date(now());
    const key = await revokeApiKey(db, principal.tenantId, id, at);
    if (!key) throw new ApiError(404, `No live API key '${id}'.`, { code: "api_key_not_found" });
    forgetApiKey(db, key.hash); // refused on this isolate from now on; elsewhere within the TTL
    await recordAdminAction(c, db, "api_key.revoke", `api_key:${key.id}`, { name: key.name }, at);
    return c.json(keyInfo(key), 200);
  });
}
