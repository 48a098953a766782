/**
 * The admin panel's session, shared by the panel's own routes and the JSON API (which the
 * panel's pages call with their cookie instead of an API key). A session alone never authorises
 * a change: state-changing requests must also come from the panel's own origin and carry the
 * session's CSRF token.
 */
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "../../../shared/api/errors.ts";
import type { PanelSession, User } from "../../../shared/db/schema/index.ts";
import type { Db } from "../../store/db.ts";
import { findPanelSession } from "../../store/queries/panel-sessions.ts";

/** The cookie's name: `__Host-` over TLS, so no other host or path can set or shadow it. */
export function panelCookieName(secure: boolean): string {
  return secure ? "__Host-textnlp_panel" : "textnlp_panel";
}

/** Header the panel's scripts send the CSRF token in; forms send `_csrf`. */
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const isSafeMethod = (method: string) => SAFE_METHODS.has(method);

/** A logged-in admin. */
export interface PanelLogin {
  session: PanelSession;
  user: User;
  token: string;
}

/** The session the request's cookie names, if it is live and its user an enabled admin. */
export function readPanelSession(c: Context, db: Db, secure: boolean): PanelLogin | undefined {
  const token = getCookie(c, panelCookieName(secure));
  if (!token) return undefined;
  const found = findPanelSession(db, token, Date.now());
  if (found?.user.role !== "admin") return undefined;
  return { ...found, token };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Refuses a state-changing request whose CSRF token (header, or `_csrf` of a form already
 * parsed into `formToken`) is not the session's.
 */
export function checkCsrfToken(c: Context, session: PanelSession, formToken?: string): void {
  if (isSafeMethod(c.req.method)) return;
  const sent = c.req.header(CSRF_HEADER) ?? formToken;
  if (!sent || !sameToken(sent, session.csrfToken))
    throw new ApiError(403, "Missing or wrong CSRF token: reload the panel and try again.", {
      code: "csrf_token_invalid",
    });
}

/**
 * Refuses state-changing requests from another origin. Hono's `csrf` checks forms (Origin, or
 * Sec-Fetch-Site when a browser sends no Origin); a script's JSON request is checked here by the
 * same rule, since Hono leaves non-form bodies alone.
 */
export function sameOriginWrites(): MiddlewareHandler {
  const forms = csrf();
  return async function sameOriginWritesHandler(c, next) {
    if (isSafeMethod(c.req.method)) return next();
    assertSameOrigin(c);
    try {
      return await forms(c, next);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) throw crossOrigin();
      throw err;
    }
  };
}

/** Throws 403 when a state-changing request says (Origin, Sec-Fetch-Site) it comes from elsewhere. */
export function assertSameOrigin(c: Context): void {
  if (isSafeMethod(c.req.method)) return;
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  if (
    (origin && origin !== new URL(c.req.url).origin) ||
    (site && site !== "same-origin" && site !== "none")
  )
    throw crossOrigin();
}

const crossOrigin = () =>
  new ApiError(403, "Cross-origin request refused.", { code: "cross_origin_request" });
