import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * A model file and what its GGUF header says: the columns `models` (for the current version) and
 * `model_versions` (for each version) share. `managed` files were copied into the models
 * directory by `models import`; the others are served in place from `path` (e.g. `serve --model`).
 */
export const modelFileColumns = () => ({
  path: text("path").notNull(),
  sha256: text("sha256").notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  architecture: text("architecture"),
  parameters: integer("parameters"),
  contextLength: integer("context_length"),
  quantization: text("quantization"),
  managed: integer("managed", { mode: "boolean" }).notNull().default(false),
});

/** GGUF models an appliance serves, one row per name, with its current version's file. */
export const models = sqliteTable("models", {
  /** The name clients use (`model` in requests); unique. */
  name: text("name").primaryKey(),
  ...modelFileColumns(),
  isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
  /** The version (`model_versions`) the bare name and its aliases resolve to. */
  currentVersion: integer("current_version").notNull().default(1),
  /** True for the generated random-weight demo model. */
  demo: integer("demo", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

export type ModelRow = typeof models.$inferSelect;
