import type { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../../../shared/api/errors.ts";
import {
  deleteProviderKeyRoute,
  listProviderKeysRoute,
  putProviderKeyRoute,
} from "../../../shared/api/routes.ts";
import type { ProviderKeyInfo } from "../../../shared/api/schemas/admin.ts";
import type { ProviderKey } from "../../../shared/db/schema/index.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { forgetProviderKeys } from "../../gateway/credentials.ts";
import { requireScope } from "../../middleware/auth/index.ts";
import { isProviderName } from "../../providers/registry.ts";
import { openStore } from "../../store/db.ts";
import { deleteProviderKey, listProviderKeys, putProviderKey } from "../../store/provider-keys.ts";
import { recordAdminAction } from "./record.ts";

function info(row: ProviderKey): ProviderKeyInfo {
  return {
    object: "provider_key",
    provider: row.provider,
    hint: row.hint,
    created_at: row.createdAt.getTime(),
    updated_at: row.updatedAt.getTime(),
  };
}

function knownProvider(name: string): string {
  if (!isProviderName(name)) {
    throw new ApiError(400, `Unknown provider '${name}'.`, {
      param: "provider",
      code: "invalid_value",
    });
  }
  return name;
}

/**
 * Mounts the tenant provider key routes (`admin:providers` scope): a tenant's own keys, sealed
 * in D1, used instead of the server's keys for its requests. Keys are never returned.
 */
export function mountProviderKeyRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.use("/v1/admin/provider-keys", requireScope("admin:providers"));
  app.use("/v1/admin/provider-keys/*", requireScope("admin:providers"));

  app.openapi(putProviderKeyRoute, async (c) => {
    const provider = knownProvider(c.req.valid("param").provider);
    const config = settings(c);
    if (!config.providerKeysMaster) {
      throw new ApiError(400, "Tenant provider keys are not enabled on this gateway.", {
        code: "feature_disabled",
      });
    }
    const principal = c.get("principal");
    const db = await openStore(config.database);
    const at = new Date(now());
    const row = await putProviderKey(
      db,
      await config.providerKeysMaster,
      { tenantId: principal.tenantId, provider, apiKey: c.req.valid("json").api_key },
      at,
    );
    forgetProviderKeys(db, principal.tenantId);
    // The hint (last four characters) is already shown to admins; the key itself never is.
    await recordAdminAction(
      c,
      db,
      "provider_key.set",
      `provider_key:${provider}`,
      { provider, hint: row.hint },
      at,
    );
    return c.json(info(row), 200);
  });

  app.openapi(listProviderKeysRoute, async (c) => {
    const rows = await listProviderKeys(
      await openStore(settings(c).database),
      c.get("principal").tenantId,
    );
    return c.json({ object: "list" as const, data: rows.map(info) }, 200);
  });

  app.openapi(deleteProviderKeyRoute, async (c) => {
    const provider = knownProvider(c.req.valid("param").provider);
    const principal = c.get("principal");
    const db = await openStore(settings(c).database);
    const row = await deleteProviderKey(db, principal.tenantId, provider);
    forgetProviderKeys(db, principal.tenantId);
    if (!row)
      throw new ApiError(404, `No key stored for '${provider}'.`, {
        code: "provider_key_not_found",
      });
    await recordAdminAction(
      c,
      db,
      "provider_key.delete",
      `provider_key:${provider}`,
      { provider },
      new Date(now()),
    );
    return c.json(info(row), 200);
  });
}
