import type {
  ChatWrapper,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import type { ResolvedModel } from "../store/queries/models.ts";
import { reusablePrefix } from "./prompt-prefix.ts";
import type { Preference, SequencePool } from "./sequence-pool.ts";
import { ThroughputMeter } from "./throughput-meter.ts";

/** How a sequence request queues: job work waits behind interactive requests. */
export type RequestPriority = "interactive" | "batch";

/**
 * A model pinned in memory for one request: it is neither evicted nor unloaded until every lease
 * on it is released. Releasing twice is harmless; `using` releases it too.
 */
export interface ModelLease extends Disposable {
  readonly loaded: LoadedModel;
  /** The model as this request resolved it: the name it reports, its version and file. */
  readonly row: ResolvedModel;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  /**
   * Waits for one of the model's sequences (FIFO, 429 when the queue is full). The sequence
   * lease pins the model on its own, so it may outlive this lease. `reuse` is the prompt the
   * caller will evaluate without clearing the sequence: the free sequence chosen is the one whose
   * KV cache keeps most of it while erasing least of what else it holds. Without it (the caller
   * clears the sequence), the one holding fewest tokens, so cached prompts stay for requests
   * that can use them.
   */
  acquireSequence(
    signal?: AbortSignal,
    priority?: RequestPriority,
    reuse?: readonly Token[],
  ): Promise<SequenceLease>;
  release(): void;
}

/** A model, its context and one of its sequences, held by one request. */
export interface SequenceLease extends Disposable {
  readonly loaded: LoadedModel;
  /** The model as the request resolved it (see {@link ModelLease.row}). */
  readonly row: ResolvedModel;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly sequence: LlamaContextSequence;
  release(): void;
}

/**
 * A model in memory with its batched context and the pool of sequences requests share. Requests
 * reach it only through leases ({@link LoadedModel.pin}); `retire` waits for them to drain
 * before anything is disposed.
 */
export class LoadedModel {
  lastUsed = Date.now();
  /** Recent tokens/s, for estimates. */
  readonly throughput = new ThroughputMeter();
  #embedding: Promise<LlamaEmbeddingContext> | undefined;
  #embeddingLock: Promise<unknown> = Promise.resolve();
  #pins = 0;
  #retired: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(
    /** The version loaded (one copy per `name@version`; its `name` is the first caller's). */
    readonly row: ResolvedModel,
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

  /** Leases held now (requests preparing, queued or generating). */
  get pins(): number {
    return this.#pins;
  }

  /** True once `retire` was called: no new lease is given. */
  get retiring(): boolean {
    return this.#retired !== undefined;
  }

  /**
   * Pins the model for one request, which resolved it as `row` (another name of the same
   * version, say). Throws once the model is retiring (the host never asks then).
   */
  pin(row: ResolvedModel = this.row): ModelLease {
    if (this.retiring) throw new Error(`model '${this.row.ref}' is being unloaded`);
    return this.#lease(row);
  }

  #lease(row: ResolvedModel): ModelLease {
    this.#pins++;
    this.lastUsed = Date.now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#unpin();
    };
    return {
      loaded: this,
      row,
      model: this.model,
      context: this.context,
      acquireSequence: (signal, priority, reuse) => {
        if (released) return Promise.reject(new Error("the model lease was released"));
        return this.#acquireSequence(row, signal, priority, reuse);
      },
      release,
      [Symbol.dispose]: release,
    };
  }

  /** Runs `fn` with the model's embedding context, one call at a time. Hold a lease meanwhile. */
  withEmbedding<T>(fn: (ctx: LlamaEmbeddingContext) => Promise<T>): Promise<T> {
    this.#embedding ??= this.model.createEmbeddingContext({ threads: this.threads });
    const run = this.#embeddingLock.then(async () =>
      fn(await (this.#embedding as Promise<LlamaEmbeddingContext>)),
    );
    this.#embeddingLock = run.catch(() => undefined);
    return run;
  }

  /**
   * Refuses new leases, waits until the ones in hand are released, then disposes the context and
   * the model. Idempotent: every caller gets the same promise.
   */
  retire(): Promise<void> {
    this.#retired ??= (async () => {
      if (this.#pins > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      this.pool.close();
      if (this.#embedding) await (await this.#embedding.catch(() => undefined))?.dispose();
      await this.context.dispose();
      await this.model.dispose();
    })();
    return this.#retired;
  }

  async #acquireSequence(
    row: ResolvedModel,
    signal: AbortSignal | undefined,
    priority: RequestPriority | undefined,
    reuse: readonly Token[] | undefined,
  ): Promise<SequenceLease> {
    // Pinned while it waits in the queue, so a queued request is never left without its model;
    // allowed while retiring, since the caller's own lease still holds the model.
    const pin = this.#lease(row);
    // Cached tokens kept for this request, less those it erases: a shared system prompt draws a
    // request to the sequence holding it, but a common first token or two never makes it erase
    // another prompt while an emptier sequence is free.
    const prefer: Preference<LlamaContextSequence> = (sequence) => {
      const kept = reuse ? reusablePrefix(sequence, reuse) : 0;
      return kept - (sequence.nextTokenIndex - kept);
    };
    try {
      const lease = await this.pool.acquire(signal, priority, prefer);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        lease.release();
        pin.release();
      };
      return {
        loaded: this,
        row,
        model: this.model,
        context: this.context,
        sequence: lease.item,
        release,
        [Symbol.dispose]: release,
      };
    } catch (err) {
      pin.release();
      throw err;
    }
  }

  #unpin(): void {
    this.#pins--;
    this.lastUsed = Date.now();
    if (this.#pins === 0) this.#drained?.();
  }
}
