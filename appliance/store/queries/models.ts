import { eq } from "drizzle-orm";
import {
  type ModelAlias,
  type ModelRow,
  modelAliases,
  models,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

export type NewModel = typeof models.$inferInsert;

/** Inserts or replaces a model entry by name. */
export function upsertModel(db: Db, row: NewModel): ModelRow {
  const { name: _name, ...rest } = row;
  return db
    .insert(models)
    .values(row)
    .onConflictDoUpdate({ target: models.name, set: rest })
    .returning()
    .get();
}

export function getModel(db: Db, name: string): ModelRow | undefined {
  return db.select().from(models).where(eq(models.name, name)).get();
}

export function listModels(db: Db): ModelRow[] {
  return db.select().from(models).orderBy(models.name).all();
}

export function getDefaultModel(db: Db): ModelRow | undefined {
  return db.select().from(models).where(eq(models.isDefault, true)).get() ?? listModels(db)[0];
}

/** Makes one model the default, in one transaction. */
export function setDefaultModel(db: Db, name: string): boolean {
  // Immediate, like every read-then-write here: a deferred one fails with SQLITE_BUSY_SNAPSHOT
  // when another process (the CLI beside the daemon) commits between the read and the write.
  return db.transaction(
    (tx) => {
      if (!tx.select().from(models).where(eq(models.name, name)).get()) return false;
      tx.update(models).set({ isDefault: false }).run();
      tx.update(models).set({ isDefault: true }).where(eq(models.name, name)).run();
      return true;
    },
    { behavior: "immediate" },
  );
}

export function deleteModel(db: Db, name: string): ModelRow | undefined {
  return db.delete(models).where(eq(models.name, name)).returning().get();
}

/** Adds an alias for a model; false when the model does not exist. */
export function addModelAlias(db: Db, alias: string, modelName: string): boolean {
  if (!getModel(db, modelName)) return false;
  db.insert(modelAliases)
    .values({ alias, modelName })
    .onConflictDoUpdate({ target: modelAliases.alias, set: { modelName } })
    .run();
  return true;
}

export function removeModelAlias(db: Db, alias: string): boolean {
  return db.delete(modelAliases).where(eq(modelAliases.alias, alias)).run().changes > 0;
}

export function listModelAliases(db: Db): ModelAlias[] {
  return db.select().from(modelAliases).orderBy(modelAliases.alias).all();
}

/** The model a name or alias refers to. */
export function resolveModelName(db: Db, name: string): ModelRow | undefined {
  const direct = getModel(db, name);
  if (direct) return direct;
  const alias = db.select().from(modelAliases).where(eq(modelAliases.alias, name)).get();
  return alias ? getModel(db, alias.modelName) : undefined;
}
