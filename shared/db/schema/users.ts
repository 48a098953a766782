import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";

/** Roles, from most to least privileged. */
export const roles = ["admin", "developer", "viewer"] as const;
export type Role = (typeof roles)[number];

/** People who log in (appliance panel, edge admin). Passwords are scrypt hashes. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    username: text("username").notNull(),
    /** `scrypt$N$r$p$salt$hash` (base64), or null for users who only sign in through OIDC. */
    passwordHash: text("password_hash"),
    role: text("role", { enum: roles }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("users_tenant_username_idx").on(t.tenantId, t.username)],
);

export type User = typeof users.$inferSelect;
