import { type LlamaModel, resolveChatWrapper } from "node-llama-cpp";
import type { Logger } from "pino";
import { ApiError, modelNotFound } from "../../shared/api/errors.ts";
import type { ResolvedModel } from "../store/queries/models.ts";
import {
  LoadedModel,
  type ModelLease,
  type RequestPriority,
  type SequenceLease,
} from "./loaded-model.ts";
import type { ModelRegistry } from "./registry.ts";
import type { LlamaRuntime } from "./runtime.ts";
import { SequencePool } from "./sequence-pool.ts";

export type { ModelLease, RequestPriority, SequenceLease } from "./loaded-model.ts";
export { LoadedModel };

/** Options of {@link ModelHost}. */
export interface ModelHostOptions {
  sequences: number;
  queueSize: number;
  contextSize: number;
  threads: number;
  memoryBudgetBytes: number;
  logger: Logger;
}

/**
 * Loads models on first use and unloads the least recently used idle ones when the memory
 * budget would be exceeded. One copy per version (`name@N`): the bare name, its aliases and
 * `name@<current>` share it, and two versions of a split are two copies. Concurrent first uses
 * share one load. Requests hold leases: a leased model is never evicted, and `unload` waits for
 * its leases to drain, so nothing is disposed under a live request.
 */
export class ModelHost {
  /** By ref (`name@version`). */
  readonly #loaded = new Map<string, LoadedModel>();
  readonly #loading = new Map<string, Promise<void>>();
  /** Models unloading (waiting for their leases, then disposed), by ref. */
  readonly #retiring = new Map<string, { model: LoadedModel; done: Promise<void> }>();

  constructor(
    private readonly runtime: LlamaRuntime,
    private readonly registry: ModelRegistry,
    private readonly options: ModelHostOptions,
  ) {}

  /**
   * The model a request's name refers to (a split draws its version anew each call); 404 when
   * unknown.
   */
  resolve(name: string): ResolvedModel {
    const row = this.registry.get(name);
    if (!row) throw modelNotFound(name);
    return row;
  }

  /** Models in memory now and serving new requests. */
  get loaded(): LoadedModel[] {
    return [...this.#loaded.values()];
  }

  /**
   * Pins the model a name refers to, loading it if needed: it stays loaded until the lease is
   * released. 404 for an unknown name, 503 when it cannot be loaded.
   */
  async pin(name: string): Promise<ModelLease> {
    // Resolved once: a split's draw holds through a load.
    const row = this.resolve(name);
    for (;;) {
      const current = this.#loaded.get(row.ref);
      // Pinned in the same turn as the lookup: no eviction can come between.
      if (current && current.row.sha256 === row.sha256) return current.pin(row);
      let loading = this.#loading.get(row.ref);
      if (!loading) {
        loading = this.#load(row).finally(() => this.#loading.delete(row.ref));
        this.#loading.set(row.ref, loading);
      }
      // Loaded (or evicted again by the time this resumes, then loaded once more).
      await loading;
    }
  }

  /**
   * A pinned model with one of its sequences (queued like any request: 429 when the queue is
   * full, the signal's reason when aborted). Release the lease when done.
   */
  async acquire(
    name: string,
    options: { signal?: AbortSignal; priority?: RequestPriority } = {},
  ): Promise<SequenceLease> {
    const lease = await this.pin(name);
    try {
      return await lease.acquireSequence(options.signal, options.priority);
    } finally {
      lease.release();
    }
  }

  /**
   * Unloads a model (every version of a name, or one `name@N`), e.g. after it was deleted: new
   * requests no longer reach it at once, and it is disposed once the requests holding it have
   * finished. Resolves when it is disposed.
   */
  async unload(name: string): Promise<void> {
    const matches = (row: ResolvedModel) => row.ref === name || row.model === name;
    for (const loaded of this.loaded) if (matches(loaded.row)) this.#retire(loaded);
    await Promise.all(
      [...this.#retiring.values()].filter((r) => matches(r.model.row)).map((r) => r.done),
    );
  }

  /** Unloads every model once its requests have finished. */
  async dispose(): Promise<void> {
    for (const loaded of this.loaded) this.#retire(loaded);
    await Promise.all([...this.#retiring.values()].map((r) => r.done));
  }

  #retire(loaded: LoadedModel): void {
    const ref = loaded.row.ref;
    if (this.#loaded.get(ref) === loaded) this.#loaded.delete(ref);
    if (this.#retiring.get(ref)?.model === loaded) return;
    const done = loaded.retire().then(
      () => this.options.logger.info({ model: ref }, "model unloaded"),
      (err: unknown) => this.options.logger.error({ err, model: ref }, "model unload failed"),
    );
    const entry = { model: loaded, done };
    this.#retiring.set(ref, entry);
    void done.finally(() => {
      if (this.#retiring.get(ref) === entry) this.#retiring.delete(ref);
    });
  }

  async #load(row: ResolvedModel): Promise<void> {
    const { llama } = this.runtime;
    const started = Date.now();
    // A changed file replaces the old copy once its requests finish; never two copies at once.
    await this.unload(row.ref);
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
    await this.#makeRoom(memoryBytes, row.ref);
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
    this.#loaded.set(row.ref, loaded);
    this.options.logger.info(
      {
        model: row.ref,
        ms: Date.now() - started,
        backend: this.runtime.backend,
        gpuLayers: model.gpuLayers,
        contextSize,
        sequences: this.options.sequences,
        chatWrapper: chatWrapper.wrapperName,
      },
      "model loaded",
    );
  }

  async #makeRoom(needed: number, forRef: string): Promise<void> {
    const used = () =>
      [...this.loaded, ...[...this.#retiring.values()].map((r) => r.model)].reduce(
        (sum, m) => sum + m.memoryBytes,
        0,
      );
    const idle = this.loaded
      .filter((m) => m.pins === 0 && m.row.ref !== forRef)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (used() + needed > this.options.memoryBudgetBytes && idle.length > 0) {
      const victim = idle.shift() as LoadedModel;
      // Checked again after every await: a request may have pinned it meanwhile.
      if (victim.pins > 0 || this.#loaded.get(victim.row.ref) !== victim) continue;
      await this.unload(victim.row.ref);
    }
    if (used() + needed > this.options.memoryBudgetBytes) {
      this.options.logger.warn(
        { model: forRef, needed, used: used() },
        "loading over the memory budget: the other models are busy",
      );
    }
  }
}
