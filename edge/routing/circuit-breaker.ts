/**
 * A circuit breaker per target: after `failureThreshold` consecutive failures the circuit opens
 * and calls are refused for `cooldownMs`; then one probe is let through (half-open), whose
 * success closes the circuit and whose failure opens it again. The clock is injected.
 */

/** Thresholds, from the routing policy. */
export interface BreakerSettings {
  failureThreshold: number;
  cooldownMs: number;
}

export type CircuitState = "closed" | "open" | "half_open";

interface Circuit {
  failures: number;
  openedAt: number | undefined;
  probing: boolean;
}

/** Circuits of every target seen, in this isolate's memory. */
export class CircuitBreaker {
  readonly #circuits = new Map<string, Circuit>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #circuit(key: string): Circuit {
    let circuit = this.#circuits.get(key);
    if (!circuit) {
      circuit = { failures: 0, openedAt: undefined, probing: false };
      this.#circuits.set(key, circuit);
    }
    return circuit;
  }

  /** The state of `key`'s circuit now. */
  state(key: string, settings: BreakerSettings): CircuitState {
    const circuit = this.#circuits.get(key);
    if (circuit?.openedAt === undefined) return "closed";
    return this.#now() - circuit.openedAt >= settings.cooldownMs ? "half_open" : "open";
  }

  /** Whether a call to `key` may go now; in half-open state only one probe at a time. */
  allow(key: string, settings: BreakerSettings): boolean {
    const state = this.state(key, settings);
    if (state === "closed") return true;
    if (state === "open") return false;
    const circuit = this.#circuit(key);
    if (circuit.probing) return false;
    circuit.probing = true;
    return true;
  }

  /** Seconds until `key`'s open circuit lets a probe through. */
  retryAfter(key: string, settings: BreakerSettings): number {
    const openedAt = this.#circuits.get(key)?.openedAt;
    if (openedAt === undefined) return 0;
    return Math.max(0, (openedAt + settings.cooldownMs - this.#now()) / 1000);
  }

  /** Ends a probe that proved nothing either way (the call never reached the target). */
  release(key: string): void {
    const circuit = this.#circuits.get(key);
    if (circuit) circuit.probing = false;
  }

  success(key: string): void {
    this.#circuits.set(key, { failures: 0, openedAt: undefined, probing: false });
  }

  failure(key: string, settings: BreakerSettings): void {
    const circuit = this.#circuit(key);
    circuit.failures += 1;
    if (circuit.probing || circuit.failures >= settings.failureThreshold) {
      circuit.openedAt = this.#now();
    }
    circuit.probing = false;
  }
}
