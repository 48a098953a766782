import { ApiError } from "../../shared/api/errors.ts";

/** A sequence held by one request; `release` returns it to the pool (idempotent). */
export interface Lease<T> {
  readonly item: T;
  release(): void;
}

/** Options of {@link SequencePool}. */
export interface SequencePoolOptions {
  /** Requests that may wait for a free item; one more gets 429. */
  maxQueue: number;
  /** Seconds sent as `Retry-After` with the 429. */
  retryAfterSeconds?: number;
}

interface Waiter<T> {
  resolve(lease: Lease<T>): void;
  reject(err: unknown): void;
  cleanup(): void;
}

/**
 * Scores a free item for one request (higher is better), e.g. how much of its prompt a sequence
 * already holds. Ties go to the item that has been free longest.
 */
export type Preference<T> = (item: T) => number;

/**
 * A fixed set of context sequences shared by a model's requests, with a bounded FIFO queue in
 * front. Requests beyond `items + maxQueue` are refused at once with 429 + Retry-After, so an
 * overloaded appliance answers quickly instead of piling up work. A request that finds several
 * items free takes the one it prefers; a queued request takes the first item released.
 */
export class SequencePool<T> {
  /** Free items, longest free first. */
  readonly #free: T[];
  readonly #waiters: Waiter<T>[] = [];
  /** Job work waits here, behind every interactive request. */
  readonly #batchWaiters: Waiter<T>[] = [];
  readonly #size: number;
  readonly #maxQueue: number;
  readonly #retryAfter: number;
  #closed = false;

  constructor(items: T[], options: SequencePoolOptions) {
    this.#free = [...items];
    this.#size = items.length;
    this.#maxQueue = options.maxQueue;
    this.#retryAfter = options.retryAfterSeconds ?? 1;
  }

  /** Items in use. */
  get active(): number {
    return this.#size - this.#free.length;
  }

  /** Requests waiting for an item (interactive and batch). */
  get queued(): number {
    return this.#waiters.length + this.#batchWaiters.length;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Waits for a free item; rejects with 429 when the queue is full, or with the signal's reason.
   * `batch` requests (job work) wait behind all interactive ones and are bounded by their job's
   * own concurrency, not by the queue size. `prefer` picks among free items; without it, the one
   * free longest.
   */
  acquire(
    signal?: AbortSignal,
    priority: "interactive" | "batch" = "interactive",
    prefer?: Preference<T>,
  ): Promise<Lease<T>> {
    if (this.#closed)
      return Promise.reject(
        new ApiError(503, "The model is being unloaded; retry.", { retryAfter: 1 }),
      );
    signal?.throwIfAborted();
    const item = this.#takeFree(prefer);
    if (item !== undefined) return Promise.resolve(this.#lease(item));
    const queue = priority === "batch" ? this.#batchWaiters : this.#waiters;
    if (priority === "interactive" && this.#waiters.length >= this.#maxQueue) {
      return Promise.reject(
        new ApiError(
          429,
          "The server is at capacity: every sequence is busy and the queue is full.",
          {
            code: "queue_full",
            retryAfter: this.#retryAfter,
          },
        ),
      );
    }
    return new Promise<Lease<T>>((resolve, reject) => {
      const onAbort = () => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(waiter);
    });
  }

  /** Refuses waiting and future requests (model unload, shutdown). Leases in hand stay valid. */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters.splice(0), ...this.#batchWaiters.splice(0)]) {
      waiter.cleanup();
      waiter.reject(new ApiError(503, "The model is being unloaded; retry.", { retryAfter: 1 }));
    }
  }

  #takeFree(prefer: Preference<T> | undefined): T | undefined {
    let best = 0;
    if (prefer) {
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const [at, item] of this.#free.entries()) {
        const score = prefer(item);
        if (score > bestScore) [best, bestScore] = [at, score];
      }
    }
    return this.#free.splice(best, 1)[0];
  }

  #lease(item: T): Lease<T> {
    let released = false;
    return {
      item,
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiters.shift() ?? this.#batchWaiters.shift();
        if (next) {
          next.cleanup();
          next.resolve(this.#lease(item));
        } else {
          this.#free.push(item);
        }
      },
    };
  }
}
