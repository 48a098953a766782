/**
 * The admin web panel, served by the appliance under `/panel`: server-rendered pages (hono's
 * `html`), one stylesheet and one script read from `assets/` — nothing from a CDN, so it works
 * air-gapped. Its pages call the `/v1` API with their session cookie where a route exists, and
 * `/panel/api/*` for the rest.
 */
import { readFileSync } from "node:fs";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { ApiError } from "../../shared/api/errors.ts";
import { toJob } from "../../shared/synth/routes/jobs.ts";
import { listJobs } from "../../shared/synth/store/jobs.ts";
import { listLatestTemplates } from "../../shared/synth/store/templates.ts";
import {
  checkCsrfToken,
  isSafeMethod,
  readPanelSession,
  sameOriginWrites,
} from "../api/middleware/panel-session.ts";
import type { ApplianceEnv, ApplianceServices } from "../api/types.ts";
import { readPendingRestore, readRestoreOutcome } from "../backup/pending-restore.ts";
import { configView } from "../settings/config-view.ts";
import { effectiveSettings } from "../settings/runtime-settings.ts";
import { mountAdminPages } from "./admin-pages.ts";
import { mountPanelApi } from "./api.ts";
import { mountOpsApi } from "./api-ops.ts";
import { applianceFigures, usageFigures } from "./dashboard-figures.ts";
import { mountDatasetPages } from "./datasets-pages.ts";
import { panelLoginOf, renderPanelPage } from "./layout.ts";
import { mountLoginRoutes, mountLogoutRoute } from "./login.ts";
import { backupsBody } from "./pages/backups.ts";
import { dashboardBody } from "./pages/dashboard.ts";
import { jobsBody } from "./pages/jobs.ts";
import { modelsBody } from "./pages/models.ts";
import { settingsBody } from "./pages/settings.ts";

const asset = (file: string) => readFileSync(new URL(`./assets/${file}`, import.meta.url), "utf8");
const ASSETS: Record<string, { body: string; type: string }> = {
  "panel.css": { body: asset("panel.css"), type: "text/css; charset=utf-8" },
  "panel.js": { body: asset("panel.js"), type: "text/javascript; charset=utf-8" },
};

/** Only the panel's own files run; no framing. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function securityHeaders(): MiddlewareHandler {
  return async function panelSecurityHeaders(c, next) {
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Frame-Options", "DENY");
    c.header("X-Content-Type-Options", "nosniff");
    // Not "no-referrer": Chromium then sends `Origin: null` on form posts, which the origin check refuses.
    c.header("Referrer-Policy", "same-origin");
    if (!c.req.path.startsWith("/panel/assets/")) c.header("Cache-Control", "no-store");
  };
}

const isFormBody = (c: Context) =>
  /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(
    c.req.header("content-type") ?? "",
  );

/** Mounts the panel: login, pages, assets and its JSON routes. */
export function mountPanel(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices): void {
  const { db, config, registry, host, jobs, metrics, backups } = services;
  const secure = Boolean(config.tls);

  app.use("/panel/*", securityHeaders());
  app.use("/panel/*", sameOriginWrites());
  app.get("/panel", (c) => c.redirect("/panel/", 301));
  app.get("/panel/assets/:file", (c) => {
    const file = ASSETS[c.req.param("file")];
    if (!file) throw new ApiError(404, "No such file.", { code: "not_found" });
    return c.body(file.body, 200, { "Content-Type": file.type, "Cache-Control": "no-cache" });
  });
  mountLoginRoutes(app, services);

  // Everything below needs a live admin session, and changes need its CSRF token.
  app.use("/panel/*", async (c, next) => {
    const path = c.req.path;
    if (path === "/panel/login" || path.startsWith("/panel/assets/")) return next();
    const login = readPanelSession(c, db, secure);
    if (!login) {
      if (path.startsWith("/panel/api/") || !isSafeMethod(c.req.method))
        throw new ApiError(401, "Log in to the panel first.", { code: "not_logged_in" });
      return c.redirect("/panel/login", 303);
    }
    const form = !isSafeMethod(c.req.method) && isFormBody(c) ? await c.req.parseBody() : {};
    checkCsrfToken(c, login.session, typeof form._csrf === "string" ? form._csrf : undefined);
    c.set("panelLogin", login);
    return next();
  });
  mountLogoutRoute(app, services);

  app.get("/panel/", async (c) => {
    if (!metrics) throw new ApiError(404, "Metrics are off.", { code: "metrics_off" });
    return renderPanelPage(
      c,
      "/panel/",
      dashboardBody(
        await applianceFigures({ ...services, metrics }),
        await usageFigures(services, panelLoginOf(c).user.tenantId),
      ),
    );
  });
  app.get("/panel/models", (c) =>
    renderPanelPage(
      c,
      "/panel/models",
      modelsBody(registry.list(), new Set(host.loaded.map((m) => m.row.model)), {
        count: (name) => registry.versions(name).length,
        splits: registry.splits(),
      }),
    ),
  );
  app.get("/panel/jobs", async (c) => {
    const tenantId = panelLoginOf(c).user.tenantId;
    const jobList = await Promise.all(
      (await listJobs(db, tenantId)).map(async (job) => toJob(await jobs.snapshot(job.id))),
    );
    const templates = (await listLatestTemplates(db, tenantId)).map((t) => t.name);
    const models = registry.list().map((m) => m.name);
    return renderPanelPage(c, "/panel/jobs", jobsBody(jobList, templates, models));
  });
  app.get("/panel/backups", (c) =>
    renderPanelPage(
      c,
      "/panel/backups",
      backupsBody(backups?.list() ?? [], {
        encrypted: Boolean(config.backup.keyFile),
        dir: config.backup.dir,
        remote: config.backup.remote?.url ?? null,
        pending: readPendingRestore(config.dataDir),
        lastRestore: readRestoreOutcome(config.dataDir),
        retention: effectiveSettings(config, db).filter((s) => s.key.startsWith("backup.")),
      }),
    ),
  );
  app.get("/panel/settings", (c) =>
    renderPanelPage(
      c,
      "/panel/settings",
      settingsBody(effectiveSettings(config, db), configView(config)),
    ),
  );
  mountDatasetPages(app, services);
  mountAdminPages(app, services);
  mountPanelApi(app, services);
  mountOpsApi(app, services);
}
