import { describe, expect, it } from "vitest";
import { ApiError } from "../../shared/api/errors.ts";
import { SequencePool } from "./sequence-pool.ts";

describe("SequencePool", () => {
  it("hands out items, queues up to maxQueue, then refuses with 429 and Retry-After", async () => {
    const pool = new SequencePool(["a", "b"], { maxQueue: 2, retryAfterSeconds: 3 });
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect(new Set([first.item, second.item])).toEqual(new Set(["a", "b"]));
    const waiting = [pool.acquire(), pool.acquire()];
    expect(pool.queued).toBe(2);
    const refused = await pool.acquire().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).headers()).toEqual({ "Retry-After": "3" });

    first.release();
    first.release(); // idempotent: must not free the item twice
    const third = await waiting[0];
    expect(third?.item).toBe(first.item);
    expect(pool.active).toBe(2);
    second.release();
    const fourth = await waiting[1];
    expect(fourth?.item).toBe(second.item);
    third?.release();
    fourth?.release();
    expect(pool.active).toBe(0);
  });

  it("drops a queued request whose signal aborts, keeping FIFO order for the rest", async () => {
    const pool = new SequencePool([1], { maxQueue: 5 });
    const held = await pool.acquire();
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal);
    const next = pool.acquire();
    controller.abort(new Error("client left"));
    await expect(aborted).rejects.toThrow("client left");
    expect(pool.queued).toBe(1);
    held.release();
    expect((await next).item).toBe(1);
  });

  it("rejects waiters with 503 when closed", async () => {
    const pool = new SequencePool([1], { maxQueue: 1 });
    await pool.acquire();
    const waiting = pool.acquire();
    pool.close();
    await expect(waiting).rejects.toMatchObject({ status: 503 });
    await expect(pool.acquire()).rejects.toMatchObject({ status: 503 });
  });

  it("serves interactive requests before waiting job work, and does not count job work against the queue", async () => {
    const pool = new SequencePool(["only"], { maxQueue: 1 });
    const held = await pool.acquire();
    const order: string[] = [];
    const batch = [pool.acquire(undefined, "batch"), pool.acquire(undefined, "batch")];
    const interactive = pool.acquire();
    for (const [name, p] of [
      ["batch0", batch[0]],
      ["batch1", batch[1]],
      ["interactive", interactive],
    ] as const) {
      void p?.then((lease) => {
        order.push(name);
        queueMicrotask(() => lease.release());
      });
    }
    expect(pool.queued).toBe(3);
    held.release();
    await Promise.all([...batch, interactive]);
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(["interactive", "batch0", "batch1"]);
  });

  it("gives a request the free item it prefers, ties to the one free longest; queued requests take the first released", async () => {
    const pool = new SequencePool(["a", "bb", "ccc"], { maxQueue: 2 });
    const longest = (item: string) => item.length;
    const ccc = await pool.acquire(undefined, "interactive", longest);
    expect(ccc.item).toBe("ccc");
    // Ties: "a" has been free longer than "bb".
    const tied = await pool.acquire(undefined, "interactive", () => 0);
    expect(tied.item).toBe("a");
    tied.release();
    ccc.release();
    // Free now, longest first: bb, a, ccc. No preference takes the one free longest.
    const plain = await pool.acquire();
    expect(plain.item).toBe("bb");
    const rest = [await pool.acquire(), await pool.acquire()];
    expect(rest.map((l) => l.item)).toEqual(["a", "ccc"]);
    const batch = pool.acquire(undefined, "batch", longest);
    const interactive = pool.acquire(undefined, "interactive", longest);
    rest[0]?.release();
    expect((await interactive).item).toBe("a");
    plain.release();
    expect((await batch).item).toBe("bb");
  });
});
