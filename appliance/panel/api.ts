import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { validationError } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { auditRequest } from "../api/audit.ts";
import type { ApplianceEnv, ApplianceServices } from "../api/types.ts";
import { InvalidModelFileError, ModelRegistryError } from "../inference/errors.ts";
import { applianceFigures } from "./dashboard-figures.ts";
import { figureTexts, figureValues } from "./pages/dashboard.ts";

const ModelImport = z
  .object({
    path: z.string().min(1).max(4096),
    name: z.string().min(1).max(128).optional(),
    default: z.boolean().optional(),
  })
  .strict();

/** Registry and file errors are the operator's input, so 400s that say what went wrong. */
async function asBadRequest<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvalidModelFileError || err instanceof ModelRegistryError)
      throw new ApiError(400, err.message, { code: "invalid_model" });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR")
      throw new ApiError(400, (err as Error).message, { code: "invalid_path" });
    throw err;
  }
}

/**
 * The panel's own JSON routes, for what the `/v1` API has no route for (they mirror the
 * `textnlp-appliance` commands and reuse their code): dashboard figures, the model registry,
 * backups. Behind the panel's session and CSRF checks.
 */
export function mountPanelApi(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices): void {
  const { db, registry, host, metrics, backups } = services;
  app.get("/panel/api/dashboard", async (c) => {
    if (!metrics) throw new ApiError(404, "Metrics are off.", { code: "metrics_off" });
    const figures = await applianceFigures({ ...services, metrics });
    return c.json({ ...figures, texts: figureTexts(figures), values: figureValues(figures) });
  });

  app.post("/panel/api/models", async (c) => {
    const parsed = ModelImport.safeParse(await c.req.json());
    if (!parsed.success) throw validationError(parsed.error, "request body");
    const { path, name, default: makeDefault } = parsed.data;
    const row = await asBadRequest(() => registry.import(path, { name, makeDefault }));
    await auditRequest(c, db, "model.import", `model:${row.name}`, {
      path,
      sha256: row.sha256,
      default: row.isDefault,
    });
    return c.json(row, 201);
  });
  app.post("/panel/api/models/:name/default", async (c) => {
    const name = c.req.param("name");
    await asBadRequest(() => registry.setDefault(name));
    await auditRequest(c, db, "model.set_default", `model:${name}`);
    return c.json({ ok: true });
  });
  app.post("/panel/api/models/:name/unload", async (c) => {
    const name = c.req.param("name");
    await host.unload(name);
    await auditRequest(c, db, "model.unload", `model:${name}`);
    return c.json({ ok: true });
  });
  app.delete("/panel/api/models/:name", async (c) => {
    const name = c.req.param("name");
    if (!registry.get(name))
      throw new ApiError(404, `No model named '${name}'.`, { code: "model_not_found" });
    await host.unload(name);
    await asBadRequest(() => registry.delete(name));
    await auditRequest(c, db, "model.delete", `model:${name}`);
    return c.json({ ok: true });
  });

  app.get("/panel/api/backups", (c) => c.json({ data: backups?.list() ?? [] }));
  app.post("/panel/api/backups", async (c) => {
    if (!backups) throw new ApiError(404, "Backups are off.", { code: "backups_off" });
    let backup: Awaited<ReturnType<typeof backups.run>>;
    try {
      backup = await backups.run("manual");
    } catch (err) {
      await auditRequest(c, db, "backup.run", null, { ok: false, error: (err as Error).message });
      throw new ApiError(500, `Backup failed: ${(err as Error).message}`, { cause: err });
    }
    await auditRequest(c, db, "backup.run", `backup:${backup.id}`, {
      ok: true,
      kind: "manual",
      sha256: backup.sha256,
    });
    return c.json(backup, 201);
  });
}
