import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { hashPassword, verifyPassword } from "../../shared/auth/password.ts";
import { recordAudit } from "../../shared/db/audit.ts";
import type { User } from "../../shared/db/schema/index.ts";
import {
  clearLoginFailures,
  lockedUntil,
  recordLoginFailure,
} from "../../shared/identity/login-failures.ts";
import { findUserByName } from "../../shared/identity/users.ts";
import { panelCookieName, readPanelSession } from "../api/middleware/panel-session.ts";
import type { ApplianceEnv, ApplianceServices } from "../api/types.ts";
import type { Db } from "../store/db.ts";
import { createPanelSession, deletePanelSession } from "../store/queries/panel-sessions.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
import { loginPage } from "./layout.ts";

/** A hash checked when the user name is unknown, so a miss takes as long as a wrong password. */
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashPassword("decoy-password");
  return decoyHash;
};

const formText = (value: unknown, max: number) =>
  typeof value === "string" ? value.slice(0, max) : "";

/**
 * Records a login attempt: by the user when it succeeded, else by the `system` actor
 * `panel-login` (whoever typed is unknown) against the named user when one exists. The name
 * typed is kept, never the password.
 */
function auditLogin(db: Db, action: string, username: string, user: User | undefined, ok = false) {
  return recordAudit(
    db,
    {
      tenantId: user?.tenantId ?? LOCAL_TENANT,
      actor: ok && user ? { kind: "user", id: user.id } : { kind: "system", id: "panel-login" },
      action,
      target: user ? `user:${user.id}` : null,
      detail: { username },
    },
    new Date(),
  );
}

/**
 * `GET|POST /panel/login`. Failed logins are counted per user name (known or not) in the
 * database, in the table the edge's sign-in uses (shared/identity/login-failures.ts):
 * `panel.lockoutFailures` of them in a row lock that name, even against the right password, for
 * `panel.lockoutWindowSeconds`.
 */
export function mountLoginRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { db, config, logger }: ApplianceServices,
): void {
  const secure = Boolean(config.tls);
  const cookie = panelCookieName(secure);
  const { sessionHours, lockoutFailures, lockoutWindowSeconds } = config.panel;
  const lockout = { maxFailures: lockoutFailures, lockMs: lockoutWindowSeconds * 1000 };

  app.get("/panel/login", (c) =>
    readPanelSession(c, db, secure) ? c.redirect("/panel/", 303) : c.html(loginPage({})),
  );

  app.post("/panel/login", async (c: Context<ApplianceEnv>) => {
    const form = await c.req.parseBody();
    const username = formText(form.username, 128).trim();
    const password = formText(form.password, 1024);
    const now = new Date();
    const lockEnds = await lockedUntil(db, LOCAL_TENANT, username, now);
    if (lockEnds) {
      const seconds = Math.max(1, Math.ceil((lockEnds.getTime() - now.getTime()) / 1000));
      logger.warn({ username }, "panel login refused: locked out");
      c.header("Retry-After", String(seconds));
      return c.html(
        loginPage({
          username,
          error: `Too many failed logins for this user. Try again in ${Math.ceil(seconds / 60)} minutes.`,
        }),
        429,
      );
    }
    const user = username ? await findUserByName(db, LOCAL_TENANT, username) : undefined;
    const hash = user?.passwordHash ?? (await decoy());
    const passwordOk = await verifyPassword(password, hash);
    if (!user || !passwordOk || user.role !== "admin" || user.disabledAt) {
      const lockedNow = await recordLoginFailure(db, LOCAL_TENANT, username, lockout, now);
      logger.warn({ username }, "panel login failed");
      await auditLogin(db, "panel.login_failed", username, user);
      // Recorded once, by the failure that locks the name (refused attempts add nothing).
      if (lockedNow) await auditLogin(db, "panel.lockout", username, user);
      return c.html(loginPage({ username, error: "Wrong user name or password." }), 401);
    }
    await clearLoginFailures(db, LOCAL_TENANT, username);
    const { token } = createPanelSession(db, user.id, {
      now: now.getTime(),
      ttlMs: sessionHours * 3600_000,
    });
    setCookie(c, cookie, token, {
      httpOnly: true,
      sameSite: "Strict",
      secure,
      path: "/",
      maxAge: sessionHours * 3600,
    });
    logger.info({ username }, "panel login");
    await auditLogin(db, "panel.login", username, user, true);
    return c.redirect("/panel/", 303);
  });
}

/** `POST /panel/logout`; mounted after the panel's session and CSRF checks. */
export function mountLogoutRoute(
  app: OpenAPIHono<ApplianceEnv>,
  { db, config }: ApplianceServices,
): void {
  const secure = Boolean(config.tls);
  const cookie = panelCookieName(secure);
  app.post("/panel/logout", async (c) => {
    const login = c.get("panelLogin");
    if (login) {
      deletePanelSession(db, login.token);
      await recordAudit(
        db,
        {
          tenantId: login.user.tenantId,
          actor: { kind: "user", id: login.user.id },
          action: "panel.logout",
          target: `user:${login.user.id}`,
          detail: { username: login.user.username },
        },
        new Date(),
      );
    }
    deleteCookie(c, cookie, { path: "/", secure });
    return c.redirect("/panel/login", 303);
  });
}
