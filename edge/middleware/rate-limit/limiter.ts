/**
 * The counters of one tenant and of its API keys in a SQLite-backed Durable Object, one object
 * per tenant (`idFromName("tenant:<id>")`): a request is reserved with one call and settled with
 * one. Every method runs its check and take without awaiting anything in between, so they can
 * never interleave with another request's: that is what makes the counters atomic under
 * concurrency. Storage is synchronous SQL, durable before a reply leaves.
 *
 * Keys used to have objects of their own (`key:<id>`); a key first seen here adopts what its own
 * object counted (once, with other calls held back), so a deploy does not reset its budget.
 */
import { DurableObject } from "cloudflare:workers";
import type { LimitValues } from "../../../shared/api/schemas/limits.ts";
import { type Bindings, limiterAcceptsCallerClock } from "../../env.ts";
import {
  addTo,
  type Counters,
  EMPTY_COUNTERS,
  refusalOf,
  type SubjectState,
  type SubjectUsage,
  stateAt,
  take,
  usageOf,
  type Verdict,
  verdictOf,
} from "./counters.ts";

export type { DenyReason, SubjectUsage, Verdict } from "./counters.ts";

/** Whose counters, within a tenant's object: the tenant's own, or one of its keys'. */
export type CounterSlot = "tenant" | `key:${string}`;

/** What a request asks to take before it runs, from each slot in order. */
export interface Reservation {
  slots: { slot: CounterSlot; limits: LimitValues }[];
  /** Estimated prompt tokens plus the completion cap. */
  tokens: number;
  /** The most the request can cost, in USD. */
  costUsd: number;
  /** The caller's clock; only honoured in tests (`ENVIRONMENT=test`). */
  at: number;
}

/** A correction after the call: amounts added to what was taken (negative gives back). */
export interface Settlement {
  slots: { slot: CounterSlot; limits: LimitValues; period: string }[];
  requests: number;
  tokens: number;
  costUsd: number;
  at: number;
}

export class RateLimiter extends DurableObject<Bindings> {
  readonly #callerClock: boolean;
  readonly #counters = new Map<CounterSlot, Counters>();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#callerClock = limiterAcceptsCallerClock(env);
    // `counters` (one row) holds the object's own subject, as it always has; keys of a tenant
    // have a row each in `key_counters`.
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS counters (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)",
    );
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS key_counters (key_id TEXT PRIMARY KEY, state TEXT NOT NULL)",
    );
    const own = ctx.storage.sql.exec<{ state: string }>("SELECT state FROM counters").toArray()[0];
    if (own) this.#counters.set("tenant", JSON.parse(own.state) as Counters);
    const keys = ctx.storage.sql.exec<{ key_id: string; state: string }>(
      "SELECT key_id, state FROM key_counters",
    );
    for (const row of keys) this.#counters.set(`key:${row.key_id}`, JSON.parse(row.state));
  }

  /**
   * Checks each slot in order, stopping at the first refusal, and takes one request, `tokens`
   * and `costUsd` from every slot only when all of them allow: one verdict per slot checked.
   */
  async reserve(ask: Reservation): Promise<Verdict[]> {
    const adopting = this.#adopt(ask.slots.map((s) => s.slot));
    if (adopting) await adopting;
    const now = this.#now(ask.at);
    const verdicts: Verdict[] = [];
    const states: [CounterSlot, SubjectState][] = [];
    for (const { slot, limits } of ask.slots) {
      const state = stateAt(this.#countersOf(slot), limits, now);
      const refusal = refusalOf(state, ask.tokens, ask.costUsd);
      states.push([slot, state]);
      if (refusal) {
        verdicts.push(verdictOf(state, refusal));
        break;
      }
      verdicts.push(verdictOf(state, null));
    }
    const refused = verdicts.some((v) => !v.allowed);
    for (const [i, [slot, state]] of states.entries()) {
      if (!refused) {
        take(state, ask.tokens, ask.costUsd);
        verdicts[i] = verdictOf(state, null);
      }
      // Saved refused or not: the refill and a new month are state too.
      this.#save(slot, state.counters);
    }
    return verdicts;
  }

  /** Corrects the reservation of each slot with what the call really used, or gives it back. */
  settle(change: Settlement): void {
    const now = this.#now(change.at);
    for (const { slot, limits, period } of change.slots) {
      const state = stateAt(this.#countersOf(slot), limits, now);
      addTo(state, { ...change, period });
      this.#save(slot, state.counters);
    }
  }

  /** A slot's windows and the month's spend under `limits`, changing nothing. */
  async inspect(slot: CounterSlot, limits: LimitValues, at: number): Promise<SubjectUsage> {
    await this.#adopt([slot]);
    return usageOf(stateAt(this.#countersOf(slot), limits, this.#now(at)));
  }

  /** What this object counted for its own subject (how a key's old object hands it over). */
  ownCounters(): Counters | null {
    return this.#counters.get("tenant") ?? null;
  }

  /**
   * Takes over what keys not seen here yet counted in their own objects (once per key); null
   * when every slot is known, so a reservation then runs without awaiting anything.
   */
  #adopt(slots: CounterSlot[]): Promise<void> | null {
    const missing = (list: CounterSlot[]) =>
      list.filter((s): s is `key:${string}` => s !== "tenant" && !this.#counters.has(s));
    if (missing(slots).length === 0) return null;
    const limiter = this.env.LIMITER;
    return this.ctx.blockConcurrencyWhile(async () => {
      for (const slot of missing(slots)) {
        const old = limiter ? await limiter.get(limiter.idFromName(slot)).ownCounters() : null;
        this.#save(slot, old ?? { ...EMPTY_COUNTERS });
      }
    });
  }

  #now(callerAt: number): number {
    return this.#callerClock && Number.isFinite(callerAt) ? callerAt : Date.now();
  }

  #countersOf(slot: CounterSlot): Counters {
    return this.#counters.get(slot) ?? { ...EMPTY_COUNTERS };
  }

  #save(slot: CounterSlot, counters: Counters): void {
    this.#counters.set(slot, counters);
    const state = JSON.stringify(counters);
    if (slot === "tenant") {
      this.ctx.storage.sql.exec(
        "INSERT INTO counters (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
        state,
      );
    } else {
      this.ctx.storage.sql.exec(
        "INSERT INTO key_counters (key_id, state) VALUES (?, ?) ON CONFLICT (key_id) DO UPDATE SET state = excluded.state",
        slot.slice("key:".length),
        state,
      );
    }
  }
}
