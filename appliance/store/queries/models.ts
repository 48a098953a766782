import { and, desc, eq, inArray, max } from "drizzle-orm";
import {
  type ModelAlias,
  type ModelProvenance,
  type ModelRow,
  type ModelSplit,
  type ModelVersion,
  modelAliases,
  modelSplits,
  models,
  modelVersions,
  type SplitShare,
} from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

/** What one version of a model is: its file and what its GGUF header says. */
export type ModelFile = Pick<
  ModelRow,
  | "path"
  | "sha256"
  | "sizeBytes"
  | "architecture"
  | "parameters"
  | "contextLength"
  | "quantization"
  | "managed"
>;

/** A new model file under a name, and the flags that belong to the name rather than the file. */
export type NewModelVersion = ModelFile & { name: string; demo?: boolean };

const fileOf = (v: ModelFile): ModelFile => ({
  path: v.path,
  sha256: v.sha256,
  sizeBytes: v.sizeBytes,
  architecture: v.architecture ?? null,
  parameters: v.parameters ?? null,
  contextLength: v.contextLength ?? null,
  quantization: v.quantization ?? null,
  managed: v.managed,
});

/**
 * Adds a file as the next version of a name (1 for a new name) and makes it current, in one
 * transaction. Returns the model row and the version number.
 */
export function addModelVersion(
  db: Db,
  row: NewModelVersion,
): { model: ModelRow; version: number } {
  const { name, demo, ...file } = row;
  // Immediate: the next version number is read, then written (see setDefaultModel).
  return db.transaction(
    (tx) => {
      const last = tx
        .select({ v: max(modelVersions.version) })
        .from(modelVersions)
        .where(eq(modelVersions.modelName, name))
        .get()?.v;
      const version = (last ?? 0) + 1;
      const set = {
        ...fileOf(file),
        currentVersion: version,
        ...(demo === undefined ? {} : { demo }),
      };
      tx.insert(models)
        .values({ name, ...set })
        .onConflictDoUpdate({ target: models.name, set })
        .run();
      tx.insert(modelVersions)
        .values({ modelName: name, version, ...fileOf(file) })
        .run();
      const model = tx.select().from(models).where(eq(models.name, name)).get() as ModelRow;
      return { model, version };
    },
    { behavior: "immediate" },
  );
}

/** Rewrites a model's current version in place (a file served where it lies changed). */
export function refreshCurrentVersion(db: Db, name: string, file: ModelFile, demo?: boolean): void {
  db.transaction(
    (tx) => {
      const model = tx.select().from(models).where(eq(models.name, name)).get();
      if (!model) return;
      tx.update(models)
        .set({ ...fileOf(file), ...(demo === undefined ? {} : { demo }) })
        .where(eq(models.name, name))
        .run();
      tx.update(modelVersions)
        .set(fileOf(file))
        .where(
          and(eq(modelVersions.modelName, name), eq(modelVersions.version, model.currentVersion)),
        )
        .run();
    },
    { behavior: "immediate" },
  );
}

/** A name's versions, newest first. */
export function listModelVersions(db: Db, name: string): ModelVersion[] {
  return db
    .select()
    .from(modelVersions)
    .where(eq(modelVersions.modelName, name))
    .orderBy(desc(modelVersions.version))
    .all();
}

export function getModelVersion(db: Db, name: string, version: number): ModelVersion | undefined {
  return db
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.modelName, name), eq(modelVersions.version, version)))
    .get();
}

/** Makes one version current: the name and its aliases resolve to its file from now on. */
export function setCurrentVersion(db: Db, name: string, version: number): boolean {
  return db.transaction(
    (tx) => {
      const v = tx
        .select()
        .from(modelVersions)
        .where(and(eq(modelVersions.modelName, name), eq(modelVersions.version, version)))
        .get();
      if (!v) return false;
      tx.update(models)
        .set({ ...fileOf(v), currentVersion: version })
        .where(eq(models.name, name))
        .run();
      return true;
    },
    { behavior: "immediate" },
  );
}

/** Deletes some versions of a name (the caller keeps the current one). */
export function deleteModelVersions(db: Db, name: string, versions: number[]): ModelVersion[] {
  if (versions.length === 0) return [];
  return db
    .delete(modelVersions)
    .where(and(eq(modelVersions.modelName, name), inArray(modelVersions.version, versions)))
    .returning()
    .all();
}

/** Whether any version of any model still uses a file. */
export function modelFileInUse(db: Db, path: string): boolean {
  return (
    db
      .select({ v: modelVersions.version })
      .from(modelVersions)
      .where(eq(modelVersions.path, path))
      .limit(1)
      .get() !== undefined
  );
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

/** `llama@3` → `{ base: "llama", version: 3 }`; a bare name has no version. */
export function parseModelRef(ref: string): { base: string; version?: number } {
  const at = /^(.+)@([1-9][0-9]{0,8})$/.exec(ref);
  return at ? { base: at[1] as string, version: Number(at[2]) } : { base: ref };
}

/**
 * A model as one request resolved it: the row of its model with the chosen version's file in
 * place of the current one's.
 */
export type ResolvedModel = ModelRow & {
  /**
   * The name the model answers as: the model's own name for its current version (asked by name
   * or alias), `name@N` when a version was asked for or drawn by a split.
   */
  name: string;
  /** The model's own name (never an alias, never `@N`). */
  model: string;
  version: number;
  /** `name@version`: one loaded copy per ref, however it was asked for. */
  ref: string;
};

/** Sets (or replaces) the split of a model name or alias; the caller checked the versions. */
export function setModelSplit(db: Db, name: string, modelName: string, shares: SplitShare[]): void {
  db.insert(modelSplits)
    .values({ name, modelName, shares })
    .onConflictDoUpdate({ target: modelSplits.name, set: { modelName, shares } })
    .run();
}

export function removeModelSplit(db: Db, name: string): boolean {
  return db.delete(modelSplits).where(eq(modelSplits.name, name)).run().changes > 0;
}

export function listModelSplits(db: Db): ModelSplit[] {
  return db.select().from(modelSplits).orderBy(modelSplits.name).all();
}

/** The split a name follows: its own, else its model's (aliases follow their model). */
export function splitOf(db: Db, name: string, modelName: string): ModelSplit | undefined {
  const own = db.select().from(modelSplits).where(eq(modelSplits.name, name)).get();
  if (own || name === modelName) return own;
  return db.select().from(modelSplits).where(eq(modelSplits.name, modelName)).get();
}

/** Draws one version of a split by weight; `random` is in [0, 1). */
export function drawShare(shares: readonly SplitShare[], random: number): number {
  const total = shares.reduce((sum, s) => sum + s.weight, 0);
  let point = random * total;
  for (const share of shares) {
    point -= share.weight;
    if (point < 0) return share.version;
  }
  return (shares[shares.length - 1] as SplitShare).version;
}

/**
 * The model a name or alias refers to: its current version, a version drawn by the split it
 * follows, or with `@N` that version. `random` draws the split (tests pass their own).
 */
export function resolveModelName(
  db: Db,
  ref: string,
  random: () => number = Math.random,
): ResolvedModel | undefined {
  const { base, version } = parseModelRef(ref);
  let model = getModel(db, base);
  if (!model) {
    const alias = db.select().from(modelAliases).where(eq(modelAliases.alias, base)).get();
    model = alias ? getModel(db, alias.modelName) : undefined;
  }
  if (!model) return undefined;
  const row = model;
  const split = version === undefined ? splitOf(db, base, row.name) : undefined;
  const chosen = version ?? (split ? drawShare(split.shares, random()) : row.currentVersion);
  const resolved = (file: ModelFile, name: string): ResolvedModel => ({
    ...row,
    ...fileOf(file),
    name,
    model: row.name,
    version: chosen,
    ref: `${row.name}@${chosen}`,
  });
  if (version === undefined && !split) return resolved(row, row.name);
  const v = getModelVersion(db, row.name, chosen);
  return v && resolved(v, `${row.name}@${chosen}`);
}

/** What rows produced by a resolved model record of it. */
export function provenanceOf(row: ResolvedModel): ModelProvenance {
  return { name: row.model, version: row.version, sha256: row.sha256 };
}
