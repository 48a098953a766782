import {
  type ChatWrapper,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaModel,
  resolveChatWrapper,
} from "node-llama-cpp";
import type { Logger } from "pino";
import { ApiError, modelNotFound } from "../../shared/api/errors.ts";
import type { ModelRow } from "../../shared/db/schema/index.ts";
import type { ModelRegistry } from "./registry.ts";
import type { LlamaRuntime } from "./runtime.ts";
import { SequencePool } from "./sequence-pool.ts";
import { ThroughputMeter } from "./throughput-meter.ts";

/** Options of {@link ModelHost}. */
export interface ModelHostOptions {
  sequences: number;
  queueSize: number;
  contextSize: number;
  threads: number;
  memoryBudgetBytes: number;
  logger: Logger;
}

/** A model in memory with its batched context and the pool of sequences requests share. */
export class LoadedModel {
  lastUsed = Date.now();
  active = 0;
  /** Recent tokens/s, for estimates. */
  readonly throughput = new ThroughputMeter();
  #embedding: Promise<LlamaEmbeddingContext> | undefined;
  #embeddingLock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly row: ModelRow,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly pool: SequencePool<LlamaContextSequence>,
    readonly chatWrapper: ChatWrapper,
    readonly memoryBytes: number,
    private readonly threads: number,
  ) {}

  /** Tokens each sequence can hold. */
  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Runs `fn` with the model's embedding context, one call at a time. */
  withEmbedding<T>(fn: (ctx: LlamaEmbeddingContext) => Promise<T>): Promise<T> {
    this.#embedding ??= this.model.createEmbeddingContext({ threads: this.threads });
    const run = this.#embeddingLock.then(async () =>
      fn(await (this.#embedding as Promise<LlamaEmbeddingContext>)),
    );
    this.#embeddingLock = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    this.pool.close();
    if (this.#embedding) await (await this.#embedding.catch(() => undefined))?.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }
}

/**
 * Loads models on first use and unloads the least recently used idle ones when the memory
 * budget would be exceeded. Concurrent first uses of a model share one load.
 */
export class ModelHost {
  readonly #loaded = new Map<string, LoadedModel>();
  readonly #loading = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly runtime: LlamaRuntime,
    private readonly registry: ModelRegistry,
    private readonly options: ModelHostOptions,
  ) {}

  /** The registry entry for a request's model name; 404 when unknown. */
  resolve(name: string): ModelRow {
    const row = this.registry.get(name);
    if (!row) throw modelNotFound(name);
    return row;
  }

  /** Models in memory now. */
  get loaded(): LoadedModel[] {
    return [...this.#loaded.values()];
  }

  /** The loaded model for a name, loading it if needed. Marks it used. */
  async acquire(name: string): Promise<LoadedModel> {
    const row = this.resolve(name);
    const current = this.#loaded.get(row.name);
    if (current && current.row.sha256 === row.sha256) {
      current.lastUsed = Date.now();
      return current;
    }
    let loading = this.#loading.get(row.name);
    if (!loading) {
      loading = this.#load(row).finally(() => this.#loading.delete(row.name));
      this.#loading.set(row.name, loading);
    }
    return loading;
  }

  /** Unloads one model (e.g. after it was deleted). */
  async unload(name: string): Promise<void> {
    const loaded = this.#loaded.get(name);
    if (!loaded) return;
    this.#loaded.delete(name);
    await loaded.dispose();
    this.options.logger.info({ model: name }, "model unloaded");
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#loaded.keys()].map((name) => this.unload(name)));
  }

  async #load(row: ModelRow): Promise<LoadedModel> {
    const { llama } = this.runtime;
    const started = Date.now();
    const previous = this.#loaded.get(row.name);
    if (previous) await this.unload(row.name);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: row.path });
    } catch (err) {
      throw new ApiError(
        503,
        `Model '${row.name}' could not be loaded: ${(err as Error).message}`,
        {
          code: "model_load_failed",
          cause: err,
        },
      );
    }
    const contextSize = Math.max(64, Math.min(this.options.contextSize, model.trainContextSize));
    const estimate = await model.fileInsights.estimateContextResourceRequirementsV2({
      contextSize,
      modelGpuLayers: model.gpuLayers,
      sequences: this.options.sequences,
    });
    const memoryBytes = model.size + estimate.cpuRam + estimate.gpuVram;
    await this.#makeRoom(memoryBytes, row.name);
    const context = await model.createContext({
      contextSize,
      sequences: this.options.sequences,
      threads: this.options.threads,
    });
    const sequences = Array.from({ length: this.options.sequences }, () => context.getSequence());
    const pool = new SequencePool(sequences, { maxQueue: this.options.queueSize });
    const chatWrapper = resolveChatWrapper(model);
    const loaded = new LoadedModel(
      row,
      model,
      context,
      pool,
      chatWrapper,
      memoryBytes,
      this.options.threads,
    );
    this.#loaded.set(row.name, loaded);
    this.options.logger.info(
      {
        model: row.name,
        ms: Date.now() - started,
        backend: this.runtime.backend,
        gpuLayers: model.gpuLayers,
        contextSize,
        sequences: this.options.sequences,
        chatWrapper: chatWrapper.wrapperName,
      },
      "model loaded",
    );
    return loaded;
  }

  async #makeRoom(needed: number, forName: string): Promise<void> {
    const used = () => this.loaded.reduce((sum, m) => sum + m.memoryBytes, 0);
    const idle = this.loaded
      .filter((m) => m.active === 0 && m.row.name !== forName)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (used() + needed > this.options.memoryBudgetBytes && idle.length > 0) {
      const victim = idle.shift() as LoadedModel;
      await this.unload(victim.row.name);
    }
    if (used() + needed > this.options.memoryBudgetBytes) {
      this.options.logger.warn(
        { model: forName, needed, used: used() },
        "loading over the memory budget: the other models are busy",
      );
    }
  }
}
