/**
 * Keys used to be counted in Durable Objects of their own (`key:<id>`); now a tenant's object
 * counts its keys too. A key first seen there takes over what its own object counted, once, so
 * a deploy does not hand a key a fresh monthly budget.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LimitsReport } from "../../../shared/api/schemas/limits.ts";
import { seedApiKey, startGateway } from "../../test/gateway.ts";

const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const limits = {
  requests_per_minute: 10,
  tokens_per_minute: null,
  monthly_tokens: 1000,
  monthly_cost_usd: null,
};

describe("a key's counters from its former object", () => {
  it("are adopted once by its tenant's object", async () => {
    const limiter = env.LIMITER;
    if (!limiter) throw new Error("no LIMITER binding");
    const gateway = startGateway({
      bindings: { LIMITS: { key: limits } },
      deps: { now: () => START },
    });
    const { secret, id } = await seedApiKey(["*"], "tenant-adopt");
    const as = { authorization: `Bearer ${secret}` };
    // What the key's own object counted before the deploy (its own counters, as it kept them).
    const former = limiter.get(limiter.idFromName(`key:${id}`));
    await former.reserve({
      slots: [{ slot: "tenant", limits }],
      tokens: 300,
      costUsd: 0,
      at: START,
    });
    const report = async () => {
      const res = await gateway.call(`http://edge/v1/admin/limits/keys/${id}`, { headers: as });
      return ((await res.json()) as LimitsReport).usage;
    };
    expect((await report()).month.tokens).toBe(300);
    expect((await report()).requests?.remaining).toBe(9);

    const res = await gateway.call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { ...as, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "hi there" }],
        max_tokens: 7,
      }),
    });
    expect(res.status).toBe(200);
    // "hi there" with max_tokens 7 reserves and uses exactly 9 tokens (see limits.test.ts).
    expect(await report()).toMatchObject({ month: { tokens: 309 }, requests: { remaining: 8 } });
    // Adopted once: the former object is not read again.
    await former.reserve({
      slots: [{ slot: "tenant", limits }],
      tokens: 50,
      costUsd: 0,
      at: START,
    });
    expect((await report()).month.tokens).toBe(309);
  });
});
