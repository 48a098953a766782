/**
 * Usage rows are written in shared multi-row statements (group commit) inside workerd, with
 * real D1: calls made by separate requests at once all land, and a row D1 refuses fails alone.
 */
import { env, exports } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { seedApiKey } from "../test/gateway.ts";
import { type NewUsageEvent, ROWS_PER_INSERT, recordUsage } from "./usage.ts";

async function rowsFor(model: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE model = ?")
    .bind(model)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("usage rows", () => {
  it("land for every call of requests served at once, statements shared between them", async () => {
    const { secret } = await seedApiKey(["*"]);
    const model = "openai/group-commit";
    const count = 2 * ROWS_PER_INSERT + 3;
    // Separate requests into the deployed Worker, each metered after its answer (waitUntil);
    // refused as invalid (no provider is reachable from here), and metered all the same.
    const answers = await Promise.all(
      Array.from({ length: count }, () =>
        exports.default.fetch("http://edge/v1/chat/completions", {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: JSON.stringify({ model, messages: [] }),
        }),
      ),
    );
    for (const answer of answers) expect((await answer.json()) as object).toHaveProperty("error");
    const deadline = Date.now() + 10_000;
    while ((await rowsFor(model)) < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await rowsFor(model)).toBe(count);
  });

  it("write the good rows of a statement D1 refuses, and fail only the bad one", async () => {
    const db = drizzle(env.DB);
    const event = (model: string): NewUsageEvent => ({
      tenantId: "t1",
      route: "chat",
      model,
      latencyMs: 1,
      status: 200,
      createdAt: new Date(),
    });
    const bad = { ...event("refused"), status: null } as unknown as NewUsageEvent;
    const results = await Promise.allSettled([
      ...Array.from({ length: ROWS_PER_INSERT - 1 }, () => recordUsage(db, event("kept"))),
      recordUsage(db, bad),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(ROWS_PER_INSERT - 1).fill("fulfilled"),
      "rejected",
    ]);
    expect(await rowsFor("kept")).toBe(ROWS_PER_INSERT - 1);
    expect(await rowsFor("refused")).toBe(0);
  });
});
