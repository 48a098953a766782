import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One metered call: who (tenant, key), what (route, requested model, target that answered),
 * how much (tokens, cost when prices are known), how it went (status, latency, cache).
 */
export const usageEvents = sqliteTable(
  "usage_events",
  {
    id: text("id").primaryKey(),
    /** No foreign key: token (JWT) tenants may have no row, and metering must never fail. */
    tenantId: text("tenant_id").notNull(),
    /** The API key used; null for token (JWT) callers. */
    keyId: text("key_id"),
    /** `chat`, `completions` or `embeddings`. */
    route: text("route").notNull(),
    /** The model name as requested (alias or `provider/model`). */
    model: text("model").notNull(),
    /** The target that answered (`provider/model`); null when none did. */
    target: text("target"),
    /** The version of a local model that answered (`models import` numbers them); else null. */
    targetVersion: integer("target_version"),
    /** The sha256 of that version's GGUF file; else null. */
    targetSha256: text("target_sha256"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    /** USD, when the routing policy prices the target; else null. */
    costUsd: real("cost_usd"),
    latencyMs: integer("latency_ms").notNull(),
    status: integer("status").notNull(),
    /** `hit`, `miss`, `bypass` (opted out or not deterministic) or `none` (no cache bound). */
    cacheStatus: text("cache_status").notNull().default("none"),
    /** What the edge's guardrails found, by type only (`pii:email,injection:role_play`); else null. */
    guardrails: text("guardrails"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("usage_events_tenant_time_idx").on(t.tenantId, t.createdAt)],
);

export type UsageEvent = typeof usageEvents.$inferSelect;
