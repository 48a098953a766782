/**
 * Recent generation throughput of a model: tokens counted in one-second buckets over the last
 * minute; the rate is taken over the seconds in which something was generated, so idle time
 * does not dilute it. Used for job time estimates.
 */
export class ThroughputMeter {
  readonly #buckets = new Map<number, number>();

  constructor(
    private readonly windowSeconds = 60,
    private readonly now: () => number = Date.now,
  ) {}

  record(tokens: number): void {
    const second = Math.floor(this.now() / 1000);
    this.#buckets.set(second, (this.#buckets.get(second) ?? 0) + tokens);
    for (const key of this.#buckets.keys())
      if (key <= second - this.windowSeconds) this.#buckets.delete(key);
  }

  /** Tokens per busy second over the window, or null with too little data (under 2 s). */
  tokensPerSecond(): number | null {
    const since = Math.floor(this.now() / 1000) - this.windowSeconds;
    const busy = [...this.#buckets.entries()].filter(([second, n]) => second > since && n > 0);
    if (busy.length < 2) return null;
    return busy.reduce((sum, [, n]) => sum + n, 0) / busy.length;
  }
}
