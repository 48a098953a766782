import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { sites } from "./sites.ts";

/**
 * A one-time code that enrolls one appliance into a site, stored as a SHA-256 (the code is
 * random); it expires, and is spent by the first enrollment.
 */
export const enrollmentCodes = sqliteTable("enrollment_codes", {
  hash: text("hash").primaryKey(),
  siteId: text("site_id")
    .notNull()
    .references(() => sites.id, { onDelete: "cascade" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  usedAt: integer("used_at", { mode: "timestamp_ms" }),
});

export type EnrollmentCode = typeof enrollmentCodes.$inferSelect;
