/**
 * A one-consumer queue that a producer pushes into while a consumer iterates: bridges callback
 * style generation (token callbacks) to a stream writer.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  #error: unknown;
  #failed = false;

  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#signal();
  }

  /** Ends iteration after the queued items. */
  close(): void {
    this.#closed = true;
    this.#signal();
  }

  /** Ends iteration by throwing `error` after the queued items. */
  fail(error: unknown): void {
    this.#error = error;
    this.#failed = true;
    this.close();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift() as T;
        continue;
      }
      if (this.#closed) {
        if (this.#failed) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
