import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ModelRow, ModelSplit, ModelVersion } from "../../shared/db/schema/index.ts";
import type { Db } from "../store/db.ts";
import {
  addModelAlias,
  addModelVersion,
  deleteModel,
  deleteModelVersions,
  getModel,
  getModelVersion,
  listModelAliases,
  listModelSplits,
  listModels,
  listModelVersions,
  modelFileInUse,
  parseModelRef,
  type ResolvedModel,
  refreshCurrentVersion,
  removeModelAlias,
  removeModelSplit,
  resolveModelName,
  setCurrentVersion,
  setDefaultModel,
  setModelSplit,
} from "../store/queries/models.ts";
import { readGgufSummary } from "./gguf-info.ts";

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** A model name from a file name: `stories260K.gguf` → `stories260K`. */
export function modelNameFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

import { ModelRegistryError } from "./errors.ts";

export { ModelRegistryError };

const SHA256 = /^[0-9a-f]{64}$/;

/** A name clients may use, the model it belongs to, and the file it serves now. */
export interface CatalogEntry {
  id: string;
  model: string;
  alias: boolean;
  createdAt: Date;
  file: Pick<ModelRow, "contextLength" | "sha256">;
}

/** Options of {@link ModelRegistry} operations that add a model. */
export interface AddModelOptions {
  name?: string;
  makeDefault?: boolean;
  demo?: boolean;
  /** The checksum the file must have (hex); an import of any other file fails and keeps nothing. */
  sha256?: string;
}

/**
 * The models an appliance knows: GGUF files registered by path and checksum, either served in
 * place or imported (copied) into the models directory.
 */
export class ModelRegistry {
  constructor(
    private readonly db: Db,
    private readonly modelsDir: string,
  ) {}

  list(): ModelRow[] {
    return listModels(this.db);
  }

  /**
   * The model a name, alias or `name@N` refers to, as one request resolves it (a name that
   * splits draws its version here, each call anew).
   */
  get(name: string): ResolvedModel | undefined {
    return resolveModelName(this.db, name);
  }

  /**
   * The names requests may use: each model's own, `name@N` for every version of a name that has
   * more than one (a lone version is its bare name only), and its aliases.
   */
  catalog(): CatalogEntry[] {
    const aliases = this.aliases();
    return this.list().flatMap((row) => {
      const versions = listModelVersions(this.db, row.name).reverse();
      return [
        { id: row.name, model: row.name, alias: false, createdAt: row.createdAt, file: row },
        ...(versions.length > 1 ? versions : []).map((v) => ({
          id: `${row.name}@${v.version}`,
          model: row.name,
          alias: false,
          createdAt: v.createdAt,
          file: v,
        })),
        ...aliases
          .filter((a) => a.modelName === row.name)
          .map((a) => ({
            id: a.alias,
            model: row.name,
            alias: true,
            createdAt: a.createdAt,
            file: row,
          })),
      ];
    });
  }

  /** The current version of a model, or undefined for an unknown name. */
  currentVersion(name: string): number | undefined {
    return getModel(this.db, name)?.currentVersion;
  }

  /** Splits between versions, by the name that splits. */
  splits(): ModelSplit[] {
    return listModelSplits(this.db);
  }

  /**
   * Splits the traffic of a model name or alias between versions of its model by weight:
   * `split("llama", ["llama@3", 90], ["llama@4", 10])`. Every version must exist; weights are
   * positive whole numbers. Replaces the name's split, if any.
   */
  split(name: string, shares: readonly (readonly [string, number])[]): ModelSplit {
    const model = this.get(name);
    if (!model || parseModelRef(name).version !== undefined)
      throw new ModelRegistryError(`no model or alias named '${name}'`);
    if (shares.length < 2)
      throw new ModelRegistryError("a split needs at least two versions, each with its weight");
    const seen = new Set<number>();
    const parsed = shares.map(([ref, weight]) => {
      const { base, version } = parseModelRef(ref);
      if (version === undefined || (base !== model.model && this.get(base)?.model !== model.model))
        throw new ModelRegistryError(
          `'${ref}' is not a version of ${model.model}: name them as ${model.model}@N`,
        );
      if (!getModelVersion(this.db, model.model, version))
        throw new ModelRegistryError(`${model.model} has no version ${version}`);
      if (seen.has(version)) throw new ModelRegistryError(`${ref} is named twice`);
      seen.add(version);
      if (!Number.isInteger(weight) || weight < 1)
        throw new ModelRegistryError(
          `the weight of ${ref} must be a whole number of at least 1, not ${weight}`,
        );
      return { version, weight };
    });
    setModelSplit(this.db, name, model.model, parsed);
    return this.splits().find((s) => s.name === name) as ModelSplit;
  }

  /** Ends a name's split: it resolves to the current version again. */
  unsplit(name: string): void {
    if (!removeModelSplit(this.db, name)) throw new ModelRegistryError(`'${name}' has no split`);
  }

  /** Aliases, each with the model it names. */
  aliases(): { alias: string; modelName: string; createdAt: Date }[] {
    return listModelAliases(this.db);
  }

  /** Lets clients call `model` by another name. */
  alias(model: string, alias: string): void {
    this.#checkName(alias);
    if (getModel(this.db, alias))
      throw new ModelRegistryError(`'${alias}' is already a model name`);
    if (!addModelAlias(this.db, alias, model))
      throw new ModelRegistryError(`no model named '${model}'`);
  }

  /** Removes an alias, and its split if it had one. */
  unalias(alias: string): void {
    if (!removeModelAlias(this.db, alias))
      throw new ModelRegistryError(`no alias named '${alias}'`);
    removeModelSplit(this.db, alias);
  }

  /**
   * Registers a GGUF where it lies (not copied). Re-registering the current version's path
   * refreshes that version; another path under the same name becomes a new version.
   */
  async registerInPlace(path: string, options: AddModelOptions = {}): Promise<ModelRow> {
    const name = this.#checkName(options.name ?? modelNameFromPath(path));
    const summary = await readGgufSummary(path);
    const [sha256, info] = await Promise.all([sha256File(path), stat(path)]);
    if (options.sha256 !== undefined)
      this.#checkSha256(this.#expectedSha256(options.sha256), sha256);
    const file = { path, sha256, sizeBytes: info.size, ...summary, managed: false };
    const demo = options.demo ?? false;
    if (getModel(this.db, name)?.path === path) refreshCurrentVersion(this.db, name, file, demo);
    else addModelVersion(this.db, { name, ...file, demo });
    if (options.makeDefault || this.list().length === 1) setDefaultModel(this.db, name);
    return this.get(name) as ModelRow;
  }

  /**
   * Copies a GGUF into the models directory (named by its checksum) and registers it as the next
   * version of its name (version 1 of a new name), which becomes current (`currentVersion` of the
   * row returned). The header is checked first, and the copy's checksum against `sha256` when
   * given; a file refused for either leaves nothing behind: no copy, no partial file, no registry
   * entry.
   */
  async import(path: string, options: AddModelOptions = {}): Promise<ModelRow> {
    const name = this.#checkName(options.name ?? modelNameFromPath(path));
    const expected =
      options.sha256 === undefined ? undefined : this.#expectedSha256(options.sha256);
    if (!getModel(this.db, name) && this.get(name))
      throw new ModelRegistryError(`'${name}' is an alias; import under the model's own name`);
    const summary = await readGgufSummary(path);
    // The first directory mkdir made, if any: removed again (when still empty) on failure.
    const made = await mkdir(this.modelsDir, { recursive: true });
    const partial = join(this.modelsDir, `.import-${process.pid}-${Date.now()}.partial`);
    let target: string | undefined;
    try {
      await copyFile(path, partial);
      const sha256 = await sha256File(partial);
      if (expected !== undefined) this.#checkSha256(expected, sha256);
      target = join(this.modelsDir, `${sha256}.gguf`);
      await rename(partial, target);
      const { size } = await stat(target);
      addModelVersion(this.db, {
        name,
        path: target,
        sha256,
        sizeBytes: size,
        ...summary,
        managed: true,
      });
    } catch (err) {
      await rm(partial, { force: true });
      if (target && !modelFileInUse(this.db, target)) await rm(target, { force: true });
      if (made) await rmdir(made).catch(() => undefined);
      throw err;
    }
    if (options.makeDefault || this.list().length === 1) setDefaultModel(this.db, name);
    return getModel(this.db, name) as ModelRow;
  }

  /** A model's versions, newest first; unknown names throw. */
  versions(name: string): ModelVersion[] {
    this.#model(name);
    return listModelVersions(this.db, name);
  }

  /** Makes the version before the current one current; returns both version numbers. */
  rollback(name: string): { from: number; to: number } {
    const from = this.#model(name).currentVersion;
    const previous = listModelVersions(this.db, name).find((v) => v.version < from);
    if (!previous)
      throw new ModelRegistryError(
        `${name}@${from} is the oldest version: nothing to roll back to`,
      );
    setCurrentVersion(this.db, name, previous.version);
    return { from, to: previous.version };
  }

  /**
   * Deletes all but the newest `keep` versions of a model, never the current one nor one a split
   * sends traffic to, and the imported files no version uses any more. Returns the versions
   * deleted, oldest first.
   */
  async prune(name: string, keep: number): Promise<ModelVersion[]> {
    if (!Number.isInteger(keep) || keep < 1)
      throw new ModelRegistryError(`--keep must be a whole number of at least 1, not ${keep}`);
    const { currentVersion } = this.#model(name);
    const split = new Set(
      this.splits()
        .filter((s) => s.modelName === name)
        .flatMap((s) => s.shares.map((share) => share.version)),
    );
    const doomed = listModelVersions(this.db, name)
      .slice(keep)
      .filter((v) => v.version !== currentVersion && !split.has(v.version))
      .map((v) => v.version);
    const removed = deleteModelVersions(this.db, name, doomed).sort(
      (a, b) => a.version - b.version,
    );
    await this.#removeUnusedFiles(removed);
    return removed;
  }

  setDefault(name: string): void {
    if (!setDefaultModel(this.db, name)) throw new ModelRegistryError(`no model named '${name}'`);
  }

  /**
   * Removes a model with all its versions; imported files are deleted unless another model still
   * uses them.
   */
  async delete(name: string): Promise<ModelRow> {
    const versions = listModelVersions(this.db, name);
    const row = deleteModel(this.db, name);
    if (!row) throw new ModelRegistryError(`no model named '${name}'`);
    await this.#removeUnusedFiles([...versions, row]);
    return row;
  }

  async #removeUnusedFiles(files: { path: string; managed: boolean }[]): Promise<void> {
    for (const path of new Set(files.filter((f) => f.managed).map((f) => f.path)))
      if (!modelFileInUse(this.db, path)) await rm(path, { force: true });
  }

  #model(name: string): ModelRow {
    const row = getModel(this.db, name);
    if (!row) throw new ModelRegistryError(`no model named '${name}'`);
    return row;
  }

  #expectedSha256(hex: string): string {
    const expected = hex.trim().toLowerCase();
    if (!SHA256.test(expected))
      throw new ModelRegistryError(`--sha256 must be 64 hexadecimal digits, not '${hex}'`);
    return expected;
  }

  #checkSha256(expected: string, actual: string): void {
    if (actual !== expected)
      throw new ModelRegistryError(
        `sha256 mismatch: expected ${expected}, the file has ${actual}; nothing was imported`,
      );
  }

  #checkName(name: string): string {
    if (!NAME.test(name)) {
      throw new ModelRegistryError(
        `invalid model name '${name}': use letters, digits, '.', '_', ':' or '-' (at most 128, starting with a letter or digit)`,
      );
    }
    return name;
  }
}
