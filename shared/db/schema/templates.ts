import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants.ts";

/** Prompt templates: immutable numbered versions per (tenant, name). */
export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    system: text("system"),
    prompt: text("prompt").notNull(),
    /** Variables the template reads (derived at creation). */
    variables: text("variables", { mode: "json" }).$type<string[]>().notNull(),
    /** JSON Schema the output must satisfy, or null for free text. */
    outputSchema: text("output_schema", { mode: "json" }).$type<Record<string, unknown> | null>(),
    /** A/B variants: alternative prompts drawn by weight per sample; null for none. */
    variants: text("variants", { mode: "json" }).$type<
      { name: string; weight: number; system?: string | null; prompt: string }[] | null
    >(),
    /**
     * Generated columns: prompts made per sample in dependency order, read by later prompts as
     * `columns.<name>`; null for a template without them (every version before they existed).
     */
    columns: text("columns", { mode: "json" }).$type<
      | {
          name: string;
          system?: string | null;
          prompt: string;
          params?: { temperature?: number; top_p?: number; max_tokens?: number };
        }[]
      | null
    >(),
    /** Default generation parameters (temperature, max_tokens, …). */
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [
    uniqueIndex("templates_name_version_idx").on(t.tenantId, t.name, t.version),
    index("templates_tenant_idx").on(t.tenantId),
  ],
);

export type TemplateRow = typeof templates.$inferSelect;
