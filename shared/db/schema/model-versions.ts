import { sql } from "drizzle-orm";
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { modelFileColumns, models } from "./models.ts";

/**
 * Every file a model name has had: each `models import` of an existing name adds a version
 * (1, 2, 3…) and keeps the older ones, so `llama@2` still answers after `llama@3` is imported and
 * `models rollback` can go back. The `models` row mirrors its current version.
 */
export const modelVersions = sqliteTable(
  "model_versions",
  {
    modelName: text("model_name")
      .notNull()
      .references(() => models.name, { onDelete: "cascade", onUpdate: "cascade" }),
    /** 1 for a name's first file, then one more for each import. */
    version: integer("version").notNull(),
    ...modelFileColumns(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.modelName, t.version] })],
);

export type ModelVersion = typeof modelVersions.$inferSelect;

/**
 * The exact model file that produced something (a sample, a usage row): the name it was served
 * under, its version and the file's sha256. Null parts where it is not a local model.
 */
export interface ModelProvenance {
  name: string;
  version: number | null;
  sha256: string | null;
}
