/**
 * The panel's JSON routes for operations: runtime settings (backup retention, hot windows) and
 * restoring a backup. Behind the panel's session and CSRF checks, like all of `/panel/api/*`.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { validationError } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { auditRequest } from "../api/audit.ts";
import type { ApplianceEnv, ApplianceServices } from "../api/types.ts";
import {
  readPendingRestore,
  readRestoreOutcome,
  requestRestore,
} from "../backup/pending-restore.ts";
import { readManifests } from "../backup/restore.ts";
import { changeSettings, effectiveSettings, SettingsChange } from "../settings/runtime-settings.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";

const adminName = (c: Context<ApplianceEnv>) => c.get("panelLogin")?.user.username ?? null;

/** The logged-in admin as the audit log names an actor. */
function actor(c: Context<ApplianceEnv>) {
  const user = c.get("panelLogin")?.user;
  return {
    tenantId: user?.tenantId ?? LOCAL_TENANT,
    actorKind: "user",
    actorId: user?.id ?? "unknown",
  };
}

/** Mounts `/panel/api/settings` and `/panel/api/restore`. */
export function mountOpsApi(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices): void {
  const { db, config } = services;

  app.get("/panel/api/settings", (c) => c.json({ data: effectiveSettings(config, db) }));
  /** A partial change: `{ "backup.keepHourly": 6 }`; `null` goes back to the configuration. */
  app.patch("/panel/api/settings", async (c) => {
    const parsed = SettingsChange.safeParse(await c.req.json());
    if (!parsed.success) throw validationError(parsed.error, "settings");
    changeSettings(db, parsed.data, adminName(c));
    await auditRequest(c, db, "settings.change", "settings", parsed.data);
    services.logger.info({ settings: parsed.data, by: adminName(c) }, "runtime settings changed");
    return c.json({ data: effectiveSettings(config, db) });
  });

  app.get("/panel/api/restore", (c) =>
    c.json({
      pending: readPendingRestore(config.dataDir),
      last: readRestoreOutcome(config.dataDir),
    }),
  );
  /**
   * Records the restore for the next start and restarts the daemon (after this answer): the
   * database cannot be swapped under the running process.
   */
  app.post("/panel/api/backups/:id/restore", (c) => {
    const id = c.req.param("id");
    const restart = services.restart;
    if (!restart)
      throw new ApiError(
        409,
        "This process cannot restart itself: use textnlp-appliance restore.",
        {
          code: "restart_unavailable",
        },
      );
    if (readPendingRestore(config.dataDir))
      throw new ApiError(409, "A restore is already pending: the appliance is restarting.", {
        code: "restore_pending",
      });
    const manifest = readManifests(config.backup.dir).find((m) => m.id === id);
    if (!manifest)
      throw new ApiError(404, `No usable backup with id ${id} in ${config.backup.dir}.`, {
        code: "backup_not_found",
      });
    const pending = {
      backupId: id,
      backupCreatedAt: manifest.createdAt,
      requestedAt: new Date().toISOString(),
      requestedBy: adminName(c),
      requestedByUserId: actor(c).actorId,
      tenantId: actor(c).tenantId,
    };
    requestRestore(config.dataDir, pending);
    services.logger.warn(pending, "restore asked for from the panel: restarting");
    // After this answer is written: the drain lets it finish.
    setImmediate(() => restart(`restore ${id}`));
    return c.json({ pending }, 202);
  });
}
