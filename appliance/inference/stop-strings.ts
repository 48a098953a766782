/**
 * Stop strings matched on the generated text itself. node-llama-cpp's own stop triggers compare
 * per-token text, where SentencePiece tokens lose their leading space, so a stop string such as
 * " girl" or "little girl" would never fire; matching the detokenized stream is exact.
 */
export class StopStringMatcher {
  readonly #stops: string[];
  #pending = "";
  #emitted = "";
  #stopped = false;

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((s) => s.length > 0);
  }

  /** True once a stop string was found; later text is ignored. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** All text released so far (never containing a stop string). */
  get text(): string {
    return this.#emitted;
  }

  /**
   * Feeds generated text; returns what can be released now. Text that might be the start of a
   * stop string is held back until it is decided.
   */
  push(chunk: string): string {
    if (this.#stopped) return "";
    const buffer = this.#pending + chunk;
    let cut = -1;
    for (const stop of this.#stops) {
      const at = buffer.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.#stopped = true;
      this.#pending = "";
      return this.#release(buffer.slice(0, cut));
    }
    const hold = this.#heldBackLength(buffer);
    this.#pending = buffer.slice(buffer.length - hold);
    return this.#release(buffer.slice(0, buffer.length - hold));
  }

  /** Releases held-back text at the end of generation. */
  flush(): string {
    if (this.#stopped) return "";
    const rest = this.#pending;
    this.#pending = "";
    return this.#release(rest);
  }

  #release(text: string): string {
    this.#emitted += text;
    return text;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of some stop string. */
  #heldBackLength(buffer: string): number {
    let best = 0;
    for (const stop of this.#stops) {
      for (let len = Math.min(stop.length - 1, buffer.length); len > best; len--) {
        if (buffer.endsWith(stop.slice(0, len))) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}
