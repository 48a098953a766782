import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";
import { users } from "./users.ts";

/**
 * Refresh tokens, stored as a SHA-256 of the opaque secret (random, so a fast hash is enough).
 * Each use rotates the token: the old row is marked used and a new one joins its family. A used
 * or revoked token presented again means it leaked, so the whole family is revoked.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Every token descending from one sign-in shares it; revocation works per family. */
    familyId: text("family_id").notNull(),
    hash: text("hash").notNull().unique(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    /** Set when the token was exchanged for a new one. */
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    /** Set on logout, and on the whole family when a used token comes back. */
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("refresh_tokens_family_idx").on(t.familyId)],
);

export type RefreshToken = typeof refreshTokens.$inferSelect;
