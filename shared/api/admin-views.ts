/**
 * Stored admin rows (keys, users, audit entries) as both servers answer them, and the audit
 * log's opaque paging cursor: one mapping, so the edge and the appliance cannot drift apart.
 */
import type { z } from "zod";
import type { AuditCursor, AuditFilter } from "../db/audit.ts";
import type { ApiKey, AuditEntry, User } from "../db/schema/index.ts";
import { ApiError } from "./errors.ts";
import type { ApiKeyInfo } from "./schemas/admin.ts";
import { type AuditEntryInfo, type AuditQuery, instantMs, type UserInfo } from "./schemas/auth.ts";

const ms = (date: Date | null) => (date ? date.getTime() : null);

/** A key without its secret (its hash stays on the server too). */
export function apiKeyInfo(key: ApiKey): ApiKeyInfo {
  return {
    id: key.id,
    object: "api_key",
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    created_at: key.createdAt.getTime(),
    expires_at: ms(key.expiresAt),
    last_used_at: ms(key.lastUsedAt),
    revoked_at: ms(key.revokedAt),
  };
}

/** A user without their password hash. */
export function userInfo(user: User): UserInfo {
  return {
    id: user.id,
    object: "user",
    username: user.username,
    role: user.role,
    created_at: user.createdAt.getTime(),
    disabled_at: ms(user.disabledAt),
  };
}

export function auditEntryInfo(entry: AuditEntry): AuditEntryInfo {
  return {
    id: entry.id,
    object: "audit_entry",
    actor: { kind: entry.actorKind, id: entry.actorId },
    action: entry.action,
    target: entry.target,
    detail: entry.detail,
    created_at: entry.createdAt.getTime(),
  };
}

/** Cursors are opaque to clients: base64url of `<created_at>:<id>` of a page's last entry. */
export const encodeAuditCursor = (entry: AuditEntry) =>
  btoa(`${entry.createdAt.getTime()}:${entry.id}`).replace(/=+$/, "");

/** The cursor a previous page returned; a 400 naming `cursor` for anything else. */
export function decodeAuditCursor(cursor: string): AuditCursor {
  try {
    const match = /^(\d+):(.+)$/.exec(atob(cursor));
    if (match?.[1] && match[2]) return { createdAt: Number(match[1]), id: match[2] };
  } catch {
    // not base64: refused below
  }
  throw new ApiError(400, "'cursor' is not a cursor this API returned.", {
    param: "cursor",
    code: "invalid_value",
  });
}

/** An `AuditList` answer for one page read with `listAudit`. */
export function auditPage(page: { entries: AuditEntry[]; hasMore: boolean }) {
  const last = page.entries.at(-1);
  return {
    object: "list" as const,
    data: page.entries.map(auditEntryInfo),
    has_more: page.hasMore,
    next_cursor: page.hasMore && last ? encodeAuditCursor(last) : null,
  };
}

/** The store's filter for a validated `GET /v1/admin/audit` query. */
export function auditFilter(query: z.infer<typeof AuditQuery>): AuditFilter {
  return {
    action: query.action,
    actorId: query.actor,
    from: query.from === undefined ? undefined : instantMs(query.from),
    to: query.to === undefined ? undefined : instantMs(query.to),
    limit: query.limit,
    after: query.cursor ? decodeAuditCursor(query.cursor) : undefined,
  };
}
