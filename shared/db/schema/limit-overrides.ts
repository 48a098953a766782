import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One limit value per field; absent fields keep the plan's value. */
export interface LimitOverrideValues {
  requests_per_minute?: number;
  tokens_per_minute?: number;
  monthly_tokens?: number;
  monthly_cost_usd?: number;
}

/**
 * A tenant admin's tightening of the edge's rate limits and budgets (the plan comes from the
 * `LIMITS` configuration): for the tenant as a whole (`subject` = `tenant`) or for one of its
 * API keys (`subject` = the key's id).
 */
export const limitOverrides = sqliteTable(
  "limit_overrides",
  {
    /** No foreign key: token (JWT) tenants may have no row, as in usage_events. */
    tenantId: text("tenant_id").notNull(),
    /** `tenant`, or an API key id (`key_…`). */
    subject: text("subject").notNull(),
    /** JSON object of the fields set (snake_case, as the admin API takes them). */
    limits: text("limits", { mode: "json" }).$type<LimitOverrideValues>().notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.subject] })],
);

export type LimitOverride = typeof limitOverrides.$inferSelect;
