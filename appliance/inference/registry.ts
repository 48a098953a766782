import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ModelRow } from "../../shared/db/schema/index.ts";
import type { Db } from "../store/db.ts";
import {
  addModelAlias,
  deleteModel,
  getModel,
  listModelAliases,
  listModels,
  removeModelAlias,
  resolveModelName,
  setDefaultModel,
  upsertModel,
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

/** Options of {@link ModelRegistry} operations that add a model. */
export interface AddModelOptions {
  name?: string;
  makeDefault?: boolean;
  demo?: boolean;
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

  /** The model a name or alias refers to. */
  get(name: string): ModelRow | undefined {
    return resolveModelName(this.db, name);
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

  unalias(alias: string): void {
    if (!removeModelAlias(this.db, alias))
      throw new ModelRegistryError(`no alias named '${alias}'`);
  }

  /** Registers a GGUF where it lies (not copied). Re-registering the same path refreshes it. */
  async registerInPlace(path: string, options: AddModelOptions = {}): Promise<ModelRow> {
    const name = this.#checkName(options.name ?? modelNameFromPath(path));
    const summary = await readGgufSummary(path);
    const [sha256, info] = await Promise.all([sha256File(path), stat(path)]);
    const row = upsertModel(this.db, {
      name,
      path,
      sha256,
      sizeBytes: info.size,
      ...summary,
      managed: false,
      demo: options.demo ?? false,
    });
    if (options.makeDefault || this.list().length === 1) setDefaultModel(this.db, name);
    return this.get(name) ?? row;
  }

  /**
   * Copies a GGUF into the models directory (named by its checksum) and registers it. The header
   * is checked first; an invalid file leaves nothing behind.
   */
  async import(path: string, options: AddModelOptions = {}): Promise<ModelRow> {
    const name = this.#checkName(options.name ?? modelNameFromPath(path));
    if (this.get(name))
      throw new ModelRegistryError(`a model or alias named '${name}' already exists`);
    const summary = await readGgufSummary(path);
    await mkdir(this.modelsDir, { recursive: true });
    const partial = join(this.modelsDir, `.import-${process.pid}-${Date.now()}.partial`);
    try {
      await copyFile(path, partial);
      const sha256 = await sha256File(partial);
      const target = join(this.modelsDir, `${sha256}.gguf`);
      await rename(partial, target);
      const { size } = await stat(target);
      upsertModel(this.db, {
        name,
        path: target,
        sha256,
        sizeBytes: size,
        ...summary,
        managed: true,
      });
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    if (options.makeDefault || this.list().length === 1) setDefaultModel(this.db, name);
    return this.get(name) as ModelRow;
  }

  setDefault(name: string): void {
    if (!setDefaultModel(this.db, name)) throw new ModelRegistryError(`no model named '${name}'`);
  }

  /** Removes a model; an imported file is deleted unless another entry still uses it. */
  async delete(name: string): Promise<ModelRow> {
    const row = deleteModel(this.db, name);
    if (!row) throw new ModelRegistryError(`no model named '${name}'`);
    if (row.managed && !this.list().some((m) => m.path === row.path))
      await rm(row.path, { force: true });
    return row;
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
