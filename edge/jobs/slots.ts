/**
 * The tenant-wide bound on job samples in flight: one Durable Object per tenant
 * (`idFromName(tenantId)`) hands out slots to the batches of all the tenant's jobs, so however
 * many batches Cloudflare runs at once, at most `JOB_TENANT_CONCURRENCY` samples are being
 * generated for that tenant; the rest of its rate limit stays for interactive calls.
 *
 * A batch asks for up to its job's concurrency and gets what is free (at least one), waiting in
 * line while nothing is; it gives slots back as its workers run out of keys. Grants are leases:
 * a consumer that dies holding some loses them when the lease runs out (the consumer renews
 * while it works), so a crash can never shrink a tenant's bound for good. Leases are stored, so
 * an object that restarts still counts them.
 */
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env.ts";

/** One batch's grant. */
interface Lease {
  count: number;
  expiresAt: number;
}

/** A batch waiting for slots. */
interface Waiter {
  lease: string;
  want: number;
  limit: number;
  leaseMs: number;
  grant: (count: number) => void;
}

export class JobSlots extends DurableObject<Bindings> {
  readonly #leases = new Map<string, Lease>();
  readonly #waiters: Waiter[] = [];
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS leases (id TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
    );
    const rows = ctx.storage.sql.exec<{ id: string; count: number; expires_at: number }>(
      "SELECT id, count, expires_at FROM leases",
    );
    for (const row of rows)
      this.#leases.set(row.id, { count: row.count, expiresAt: row.expires_at });
  }

  /**
   * Grants `lease` up to `want` slots of `limit` for `leaseMs`: as many as are free, once at
   * least one is, in the order batches asked. Resolves 0 when none came free within `waitMs`.
   */
  async acquire(
    lease: string,
    want: number,
    limit: number,
    leaseMs: number,
    waitMs: number,
  ): Promise<number> {
    const granted = new Promise<number>((resolve) => {
      const waiter: Waiter = {
        lease,
        want: Math.max(1, want),
        limit,
        leaseMs,
        // Granted: the wait is over, so is its timer (it would hold the object awake for nothing).
        grant: (count) => {
          clearTimeout(giveUp);
          resolve(count);
        },
      };
      this.#waiters.push(waiter);
      const giveUp = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at < 0) return;
        this.#waiters.splice(at, 1);
        resolve(0);
      }, waitMs);
    });
    this.#serve();
    return granted;
  }

  /** Extends `lease` by `leaseMs` from now; false when it is gone (expired). */
  async renew(lease: string, leaseMs: number): Promise<boolean> {
    const held = this.#leases.get(lease);
    if (!held) return false;
    this.#store(lease, { count: held.count, expiresAt: Date.now() + leaseMs });
    return true;
  }

  /** Gives back `count` of `lease`'s slots (all of them when absent). */
  async release(lease: string, count?: number): Promise<void> {
    const held = this.#leases.get(lease);
    if (!held) return;
    const left = count === undefined ? 0 : held.count - count;
    if (left > 0) this.#store(lease, { count: left, expiresAt: held.expiresAt });
    else this.#drop(lease);
    this.#serve();
  }

  /** Slots held now (expired leases dropped first). */
  async held(): Promise<number> {
    this.#expire();
    return this.#heldCount();
  }

  /** Hands free slots to waiters, first come first served. */
  #serve(): void {
    this.#expire();
    while (this.#waiters.length > 0) {
      const head = this.#waiters[0] as Waiter;
      const free = head.limit - this.#heldCount();
      if (free <= 0) break;
      this.#waiters.shift();
      const count = Math.min(head.want, free);
      this.#store(head.lease, { count, expiresAt: Date.now() + head.leaseMs });
      head.grant(count);
    }
    this.#armExpiry();
  }

  /** While batches wait, looks again when the next lease runs out. */
  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    if (this.#waiters.length === 0 || this.#leases.size === 0) return;
    const next = Math.min(...[...this.#leases.values()].map((l) => l.expiresAt));
    this.#expiryTimer = setTimeout(() => this.#serve(), Math.max(0, next - Date.now()) + 1);
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, lease] of this.#leases) if (lease.expiresAt <= now) this.#drop(id);
  }

  #heldCount(): number {
    let n = 0;
    for (const lease of this.#leases.values()) n += lease.count;
    return n;
  }

  #store(id: string, lease: Lease): void {
    this.#leases.set(id, lease);
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO leases (id, count, expires_at) VALUES (?, ?, ?)",
      id,
      lease.count,
      lease.expiresAt,
    );
  }

  #drop(id: string): void {
    this.#leases.delete(id);
    this.ctx.storage.sql.exec("DELETE FROM leases WHERE id = ?", id);
  }
}
