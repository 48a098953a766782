/**
 * The panel's administration pages: API keys, users, the audit log. They read the store to
 * render; their changes go through the `/v1/admin` API (with the session cookie and CSRF token),
 * the same routes API clients use.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { auditFilter, encodeAuditCursor } from "../../shared/api/admin-views.ts";
import { validationError } from "../../shared/api/app.ts";
import { AuditQuery } from "../../shared/api/schemas/auth.ts";
import { listAudit } from "../../shared/db/audit.ts";
import { listApiKeys } from "../../shared/identity/api-keys.ts";
import { findUserByName, listUsers } from "../../shared/identity/users.ts";
import type { ApplianceEnv, ApplianceServices } from "../api/types.ts";
import { panelLoginOf, renderPanelPage } from "./layout.ts";
import { type AuditPageFilter, auditBody } from "./pages/audit.ts";
import { keysBody } from "./pages/keys.ts";
import { usersBody } from "./pages/users.ts";

/** Entries per audit page. */
const AUDIT_PAGE_SIZE = 50;

const loginOf = panelLoginOf;

/** A `datetime-local` value has no zone: the page says UTC, so it is read as UTC. */
const asUtc = (value: string | undefined) =>
  value && !/(Z|[+-]\d\d:?\d\d)$/.test(value) ? `${value}Z` : value;

/** Mounts `/panel/keys`, `/panel/users` and `/panel/audit` (behind the panel's login). */
export function mountAdminPages(app: OpenAPIHono<ApplianceEnv>, { db }: ApplianceServices): void {
  app.get("/panel/keys", async (c) =>
    renderPanelPage(c, "/panel/keys", keysBody(await listApiKeys(db, loginOf(c).user.tenantId))),
  );

  app.get("/panel/users", async (c) => {
    const { user } = loginOf(c);
    return renderPanelPage(
      c,
      "/panel/users",
      usersBody(await listUsers(db, user.tenantId), user.id),
    );
  });

  app.get("/panel/audit", async (c) => {
    const tenantId = loginOf(c).user.tenantId;
    const raw = c.req.query();
    const filter: AuditPageFilter = {};
    for (const key of ["actor", "action", "from", "to", "limit"] as const) {
      const value = raw[key]?.trim();
      if (value) filter[key] = value;
    }
    // The actor box takes a user name too: the log records user ids.
    const actorId =
      filter.actor && ((await findUserByName(db, tenantId, filter.actor))?.id ?? filter.actor);
    const parsed = AuditQuery.safeParse({
      actor: actorId,
      action: filter.action,
      from: asUtc(filter.from),
      to: asUtc(filter.to),
      cursor: raw.cursor || undefined,
      limit: filter.limit ?? AUDIT_PAGE_SIZE,
    });
    let error: string | undefined;
    let page: Awaited<ReturnType<typeof listAudit>> = { entries: [], hasMore: false };
    if (parsed.success) page = await listAudit(db, tenantId, auditFilter(parsed.data));
    else error = validationError(parsed.error, "filter").message;
    const names = new Map<string, string>([
      ...(await listUsers(db, tenantId)).map((u) => [u.id, u.username] as const),
      ...(await listApiKeys(db, tenantId)).map((k) => [k.id, k.name] as const),
    ]);
    const last = page.entries.at(-1);
    return renderPanelPage(
      c,
      "/panel/audit",
      auditBody({
        entries: page.entries,
        names,
        filter,
        nextCursor: page.hasMore && last ? encodeAuditCursor(last) : null,
        paged: Boolean(raw.cursor),
        error,
      }),
      undefined,
      error ? 400 : 200,
    );
  });
}
