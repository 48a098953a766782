import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";

/**
 * A tenant's own key for a commercial provider, sealed with AES-256-GCM under the server's
 * master key (never stored in clear); routing uses it instead of the server's key.
 */
export const providerKeys = sqliteTable(
  "provider_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** `openai`, `anthropic`, … */
    provider: text("provider").notNull(),
    /** base64url of IV ‖ ciphertext ‖ tag; the tenant and provider are bound in as AAD. */
    sealedKey: text("sealed_key").notNull(),
    /** The last four characters, to recognise the key. */
    hint: text("hint").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [uniqueIndex("provider_keys_tenant_provider_idx").on(t.tenantId, t.provider)],
);

export type ProviderKey = typeof providerKeys.$inferSelect;
