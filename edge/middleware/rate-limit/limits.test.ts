/**
 * Rate limits and budgets through the real gateway in workerd: real Durable Object counters,
 * real D1, the provider fakes upstream. The clock is injected (the counters take it only under
 * ENVIRONMENT=test), so windows never need waiting.
 */
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { LimitsReport } from "../../../shared/api/schemas/limits.ts";
import type { Bindings } from "../../env.ts";
import { seedApiKey, startGateway } from "../../test/gateway.ts";
import { refill, waitFor } from "./bucket.ts";
import { formatDuration } from "./headers.ts";

const START = Date.UTC(2026, 10, 25, 12, 0, 0);

/** An error answer's body. */
type Json = { error: { message: string } & Record<string, unknown> };

/** A gateway with `limits` as its LIMITS configuration and a clock the test moves. */
function limitedGateway(
  limits: Record<string, unknown>,
  policy?: Record<string, unknown>,
  bindings: Partial<Bindings> = {},
) {
  const clock = { now: START };
  const gateway = startGateway({
    bindings: { LIMITS: limits, ...bindings },
    deps: { now: () => clock.now },
    policy,
  });
  const chat = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    gateway.call("http://edge/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "hi there" }],
        max_tokens: 100,
        ...body,
      }),
    });
  const limitsOf = async (path: string, headers: Record<string, string> = {}) => {
    const res = await gateway.call(`http://edge/v1/admin/limits/${path}`, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as LimitsReport;
  };
  return { ...gateway, clock, chat, limitsOf };
}

const keyId = async (gateway: ReturnType<typeof limitedGateway>) => {
  const res = await gateway.call("http://edge/v1/admin/keys");
  const keys = (await res.json()) as { data: { id: string; prefix: string }[] };
  const harness = keys.data.find((k) => k.prefix === gateway.secret.slice(0, 11));
  if (!harness) throw new Error("no harness key");
  return harness.id;
};

describe("rate limits", () => {
  it("lets exactly 10 of 100 concurrent requests through a limit of 10 a minute", async () => {
    const gateway = limitedGateway({ key: { requests_per_minute: 10 } });
    const answers = await Promise.all(Array.from({ length: 100 }, () => gateway.chat()));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(90);

    const refused = answers.find((r) => r.status === 429);
    // One request comes back every 6 s at 10 a minute.
    expect(refused?.headers.get("retry-after")).toBe("6");
    expect(refused?.headers.get("x-ratelimit-limit-requests")).toBe("10");
    expect(refused?.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(refused?.headers.get("x-ratelimit-reset-requests")).toBe("1m0s");
    const body = (await refused?.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });

    // 5.9 s later nothing is back yet; at 6 s exactly one request is.
    gateway.clock.now = START + 5_900;
    expect((await gateway.chat()).status).toBe(429);
    gateway.clock.now = START + 6_000;
    const again = await Promise.all([gateway.chat(), gateway.chat(), gateway.chat()]);
    expect(again.map((r) => r.status).sort()).toEqual([200, 429, 429]);
  });

  it("puts the rate-limit headers on answers that pass, counting down", async () => {
    const gateway = limitedGateway({ key: { requests_per_minute: 3, tokens_per_minute: 5000 } });
    const first = await gateway.chat();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("3");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("2");
    // 3 a minute: one of three missing comes back in 20 s.
    expect(first.headers.get("x-ratelimit-reset-requests")).toBe("20s");
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("5000");
    // "hi there" is estimated at 2 prompt tokens, plus max_tokens 100.
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("4898");
    const second = await gateway.chat();
    expect(second.headers.get("x-ratelimit-remaining-requests")).toBe("1");
  });

  it("counts a tenant's keys together against the tenant's limit", async () => {
    const gateway = limitedGateway({ tenant: { requests_per_minute: 4 } });
    const a = await seedApiKey(["*"], "tenant-shared");
    const b = await seedApiKey(["*"], "tenant-shared");
    const other = await seedApiKey(["*"], "tenant-other");
    const as = (secret: string) => ({ authorization: `Bearer ${secret}` });
    const statuses = await Promise.all(
      [a, b, a, b, a, b, a, b].map((k) => gateway.chat({}, as(k.secret)).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    // Another tenant has its own counter.
    expect((await gateway.chat({}, as(other.secret))).status).toBe(200);
  });

  it("gives the key back what it took when the tenant refuses", async () => {
    const gateway = limitedGateway({
      tenant: { requests_per_minute: 2 },
      key: { requests_per_minute: 5 },
    });
    const { secret, id } = await seedApiKey(["*"], "tenant-tight");
    const as = { authorization: `Bearer ${secret}` };
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () => gateway.chat({}, as).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    // The key's counter holds only the two calls that went through.
    expect((await gateway.limitsOf(`keys/${id}`, as)).usage.requests?.remaining).toBe(3);
    expect((await gateway.limitsOf("tenant", as)).usage.requests?.remaining).toBe(0);
  });

  it("limits embeddings by their input and token callers by their tenant", async () => {
    const secret = "a-test-secret-that-is-at-least-32-bytes-long";
    const clock = { now: START };
    const gateway = startGateway({
      bindings: {
        LIMITS: { tenant: { requests_per_minute: 2 }, key: { tokens_per_minute: 1000 } },
        JWT_SECRET: secret,
      },
      deps: { now: () => clock.now },
    });
    const { secret: apiKey } = await seedApiKey(["*"], "tenant-embed");
    const embed = (authorization: string) =>
      gateway.callRaw("http://edge/v1/embeddings", {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/text-embedding-3-small", input: "abcd".repeat(10) }),
      });
    const byKey = await embed(`Bearer ${apiKey}`);
    expect(byKey.status).toBe(200);
    // 40 characters are estimated at 10 tokens; an embedding has no completion.
    expect(byKey.headers.get("x-ratelimit-remaining-tokens")).toBe("990");

    // A token (JWT) caller has no key: only its tenant's limits apply.
    const token = await new SignJWT({ tid: "tenant-jwt-limits", role: "developer" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setIssuer("textnlp")
      .setAudience("textnlp-api")
      .setIssuedAt(START / 1000)
      .setExpirationTime(START / 1000 + 300)
      .sign(new TextEncoder().encode(secret));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await embed(`Bearer ${token}`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("refuses a request larger than the tokens-per-minute limit without a Retry-After", async () => {
    const gateway = limitedGateway({ key: { tokens_per_minute: 50 } });
    const res = await gateway.chat({ max_tokens: 100 });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(res.headers.get("x-should-retry")).toBe("false");
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/needs 102 tokens/);
    expect((await gateway.chat({ max_tokens: 40 })).status).toBe(200);
  });
});

describe("reservations", () => {
  it("settles a call's reservation to its real usage before the next request", async () => {
    const gateway = limitedGateway({ key: { tokens_per_minute: 10_000, monthly_tokens: 100_000 } });
    const id = await keyId(gateway);
    const first = await gateway.chat({ max_tokens: 1000 });
    expect(first.status).toBe(200);
    // Reserved: 2 estimated prompt tokens plus the 1000 cap.
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe(String(10_000 - 1002));
    const used = ((await first.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(100);

    // The next reservation sees the first call settled to what it really used.
    const second = await gateway.chat({ max_tokens: 1000 });
    expect(second.headers.get("x-ratelimit-remaining-tokens")).toBe(String(10_000 - used - 1002));
    const used2 = ((await second.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
    const report = await gateway.limitsOf(`keys/${id}`);
    expect(report.usage.month.tokens).toBe(used + used2);
    expect(report.usage.month.period).toBe("2026-11");
    expect(report.usage.tokens?.remaining).toBe(10_000 - used - used2);
  });

  it("settles a streamed call when its stream ends", async () => {
    const gateway = limitedGateway({ key: { requests_per_minute: 50, monthly_tokens: 100_000 } });
    const id = await keyId(gateway);
    const { data: stream, response } = await gateway.client.chat.completions
      .create({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "stream to me" }],
        max_tokens: 500,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("49");
    let total = 0;
    for await (const chunk of stream) total = chunk.usage?.total_tokens ?? total;
    await gateway.settled();
    expect(total).toBeGreaterThan(0);
    expect((await gateway.limitsOf(`keys/${id}`)).usage.month.tokens).toBe(total);
  });

  it("gives a failed call's tokens back but keeps its request counted", async () => {
    const gateway = limitedGateway({
      key: { requests_per_minute: 5, tokens_per_minute: 10_000, monthly_tokens: 100_000 },
    });
    const id = await keyId(gateway);
    const failed = await gateway.chat({ model: "openai/m-err503", max_tokens: 1000 });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const report = await gateway.limitsOf(`keys/${id}`);
    expect(report.usage.month.tokens).toBe(0);
    expect(report.usage.tokens?.remaining).toBe(10_000);
    expect(report.usage.requests?.remaining).toBe(4);
  });
});

describe("budgets", () => {
  // "hi there" with max_tokens 7 reserves 2 + 7 tokens, and the openai fake's answer uses exactly
  // 2 + 7: settlements change nothing, so how many calls a budget holds does not depend on timing.
  const exact = { max_tokens: 7 };

  it("cannot be overspent by concurrent calls", async () => {
    const gateway = limitedGateway({ key: { monthly_tokens: 95 } });
    const id = await keyId(gateway);
    const answers = await Promise.all(Array.from({ length: 30 }, () => gateway.chat(exact)));
    const passed = answers.filter((r) => r.status === 200);
    expect(passed).toHaveLength(10);
    const refused = answers.find((r) => r.status === 429);
    const body = (await refused?.json()) as { error: { code: string } };
    expect(body.error.code).toBe("budget_exceeded");
    expect(refused?.headers.get("x-should-retry")).toBe("false");
    // Retry-After points at the next month (2026-12-01T00:00Z).
    expect(Number(refused?.headers.get("retry-after"))).toBe(
      (Date.UTC(2026, 11, 1) - START) / 1000,
    );
    let spent = 0;
    for (const res of passed) {
      spent += ((await res.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
    }
    expect(spent).toBe(90);
    expect((await gateway.limitsOf(`keys/${id}`)).usage.month.tokens).toBe(90);

    // The official SDK sees the same refusal (and does not retry it).
    await expect(
      gateway.client.chat.completions.create({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "hi there" }],
        max_tokens: 7,
      }),
    ).rejects.toMatchObject({ status: 429, code: "budget_exceeded" });

    // Next month the budget starts over.
    gateway.clock.now = Date.UTC(2026, 11, 1, 0, 0, 1);
    expect((await gateway.chat(exact)).status).toBe(200);
  });

  it("cannot be overspent in USD by concurrent calls", async () => {
    // One USD a token: each call reserves and costs 9 USD.
    const policy = {
      aliases: {
        priced: {
          targets: [
            {
              model: "openai/gpt-4o-mini",
              inputPerMillion: 1_000_000,
              outputPerMillion: 1_000_000,
            },
          ],
        },
      },
    };
    const gateway = limitedGateway({ tenant: { monthly_cost_usd: 20 } }, policy);
    const { secret } = await seedApiKey(["*"], "tenant-usd");
    const as = { authorization: `Bearer ${secret}` };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => gateway.chat({ model: "priced", ...exact }, as)),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(2);
    expect((await gateway.limitsOf("tenant", as)).usage.month.cost_usd).toBe(18);
  });

  it("binds direct model names through the model catalogue", async () => {
    // The operator's catalogue prices the direct name at one USD a token: 9 USD a call.
    const catalogue = {
      version: 1,
      pricesAsOf: "2026-12-01",
      models: {
        "openai/gpt-4o-mini": {
          capabilities: ["chat"],
          inputPerMillion: 1_000_000,
          outputPerMillion: 1_000_000,
        },
      },
    };
    const gateway = limitedGateway({ tenant: { monthly_cost_usd: 20 } }, undefined, {
      MODEL_CATALOGUE: JSON.stringify(catalogue),
    });
    const { secret } = await seedApiKey(["*"], "tenant-direct");
    const as = { authorization: `Bearer ${secret}` };
    expect((await gateway.chat(exact, as)).status).toBe(200);
    expect((await gateway.chat(exact, as)).status).toBe(200);
    expect((await gateway.limitsOf("tenant", as)).usage.month.cost_usd).toBe(18);
    // Over the budget: refused until next month, as OpenAI refuses a spent quota.
    const over = await gateway.chat(exact, as);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as Json).error).toMatchObject({
      type: "insufficient_quota",
      code: "budget_exceeded",
    });
    // Larger than the whole budget: no month would fit it, so no Retry-After.
    const huge = await gateway.chat({ max_tokens: 50 }, as);
    expect(huge.status).toBe(429);
    expect(huge.headers.get("retry-after")).toBeNull();
    expect(huge.headers.get("x-should-retry")).toBe("false");
    expect(((await huge.json()) as Json).error.message).toMatch(/larger than the whole monthly/);
  });

  it("refuses models nothing prices under a USD budget, unless the operator allows them", async () => {
    const refused = limitedGateway({ tenant: { monthly_cost_usd: 20 } });
    const { secret } = await seedApiKey(["*"], "tenant-unpriced");
    const as = { authorization: `Bearer ${secret}` };
    const res = await refused.chat({ model: "openai/unpriced-model", ...exact }, as);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error).toMatchObject({
      code: "unpriced_model",
      param: "model",
    });
    // A catalogue-priced name passes under the same budget.
    expect((await refused.chat(exact, as)).status).toBe(200);
    const allowed = limitedGateway({ tenant: { monthly_cost_usd: 20 } }, undefined, {
      ALLOW_UNPRICED_MODELS: "true",
    });
    expect((await allowed.chat({ model: "openai/unpriced-model", ...exact }, as)).status).toBe(200);
  });

  it("reserves the dearest target's price and settles to the one that answered", async () => {
    const policy = {
      aliases: {
        priced: {
          targets: [
            { model: "openai/m-err503", inputPerMillion: 1_000_000, outputPerMillion: 1_000_000 },
            { model: "openai/gpt-4o-mini", inputPerMillion: 1000, outputPerMillion: 1000 },
          ],
        },
      },
      retry: { attempts: 0 },
    };
    const gateway = limitedGateway({ tenant: { monthly_cost_usd: 10 } }, policy);
    const { secret } = await seedApiKey(["*"], "tenant-dear");
    const as = { authorization: `Bearer ${secret}` };
    // Reserves 9 USD at the dearest price; the cheap target answers for 9 thousandths.
    const first = await gateway.chat({ model: "priced", ...exact }, as);
    expect(first.headers.get("x-textnlp-target")).toBe("openai/gpt-4o-mini");
    expect((await gateway.limitsOf("tenant", as)).usage.month.cost_usd).toBeCloseTo(0.009, 9);
    // 22 USD at the dearest price does not fit what is left, whichever target would answer.
    const dear = await gateway.chat({ model: "priced", max_tokens: 20 }, as);
    expect(dear.status).toBe(429);
    expect(((await dear.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    expect((await gateway.chat({ model: "priced", ...exact }, as)).status).toBe(200);
  });
});

describe("limits admin API", () => {
  it("tightens a key's limits, refuses loosening the plan, and goes back to the plan", async () => {
    const gateway = limitedGateway({ key: { requests_per_minute: 100 } });
    const id = await keyId(gateway);
    const put = (body: unknown) =>
      gateway.call(`http://edge/v1/admin/limits/keys/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const loosened = await put({ requests_per_minute: 1000 });
    expect(loosened.status).toBe(403);
    expect(((await loosened.json()) as { error: { code: string } }).error.code).toBe(
      "limit_above_plan",
    );
    expect((await put({ requests_per_minute: -1 })).status).toBe(400);

    const tightened = await put({ requests_per_minute: 2, monthly_tokens: 5000 });
    expect(tightened.status).toBe(200);
    const report = (await tightened.json()) as LimitsReport;
    expect(report.plan.requests_per_minute).toBe(100);
    expect(report.effective).toEqual({
      requests_per_minute: 2,
      tokens_per_minute: null,
      monthly_tokens: 5000,
      monthly_cost_usd: null,
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await gateway.chat()).status);
    expect(statuses).toEqual([200, 200, 429]);

    const reset = await gateway.call(`http://edge/v1/admin/limits/keys/${id}`, {
      method: "DELETE",
    });
    expect(((await reset.json()) as LimitsReport).override).toBeNull();
    expect((await gateway.chat()).status).toBe(200);
  });

  it("applies an override made by another isolate within the cache's 10 s", async () => {
    const gateway = limitedGateway({});
    const { secret } = await seedApiKey(["*"], "tenant-elsewhere");
    const as = { authorization: `Bearer ${secret}` };
    expect((await gateway.chat({}, as)).status).toBe(200);
    // Written straight to D1, as another isolate's admin call would.
    await env.DB.prepare(
      "INSERT INTO limit_overrides (tenant_id, subject, limits, updated_at) VALUES ('tenant-elsewhere', 'tenant', '{\"requests_per_minute\":0}', 0)",
    ).run();
    expect((await gateway.chat({}, as)).status).toBe(200);
    gateway.clock.now = START + 10_000;
    expect((await gateway.chat({}, as)).status).toBe(429);
  });

  it("keeps each tenant's limits to itself", async () => {
    const gateway = limitedGateway({});
    const a = await seedApiKey(["*"], "tenant-a");
    const b = await seedApiKey(["*"], "tenant-b");
    const asA = { authorization: `Bearer ${a.secret}` };
    const asB = { authorization: `Bearer ${b.secret}` };
    const send = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      gateway.call(`http://edge/v1/admin/limits/${path}`, {
        method,
        headers: { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // A cannot read, change or clear B's key, which looks like a key that does not exist.
    expect((await send("GET", `keys/${b.id}`, asA)).status).toBe(404);
    expect((await send("PUT", `keys/${b.id}`, asA, { requests_per_minute: 0 })).status).toBe(404);
    expect((await send("DELETE", `keys/${b.id}`, asA)).status).toBe(404);
    expect((await send("GET", "keys/key_nope", asA)).status).toBe(404);

    // A's tenant-wide limit stays A's.
    expect((await send("PUT", "tenant", asA, { requests_per_minute: 0 })).status).toBe(200);
    expect((await gateway.chat({}, asA)).status).toBe(429);
    expect((await gateway.chat({}, asB)).status).toBe(200);
    expect((await gateway.limitsOf("tenant", asB)).override).toBeNull();
    expect((await gateway.limitsOf(`keys/${b.id}`, asB)).key_id).toBe(b.id);
  });

  it("is in the OpenAPI document", async () => {
    const res = await limitedGateway({}).call("http://edge/openapi.json");
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/v1/admin/limits/tenant"] ?? {}).sort()).toEqual([
      "delete",
      "get",
      "put",
    ]);
    expect(Object.keys(doc.paths["/v1/admin/limits/keys/{id}"] ?? {}).sort()).toEqual([
      "delete",
      "get",
      "put",
    ]);
  });

  it("needs the admin:limits scope", async () => {
    const gateway = limitedGateway({});
    const dev = await seedApiKey(["inference", "models:read"], "tenant-dev");
    const res = await gateway.call("http://edge/v1/admin/limits/tenant", {
      headers: { authorization: `Bearer ${dev.secret}` },
    });
    expect(res.status).toBe(403);
  });
});

describe("bucket arithmetic and header formats", () => {
  it("refills continuously, adds a raised limit at once and caps a lowered one", () => {
    const drained = { level: 0, at: 0, capacity: 60 };
    expect(refill(drained, 60, 30_000).level).toBe(30);
    expect(refill(drained, 60, 120_000).level).toBe(60);
    expect(refill(drained, 100, 0).level).toBe(40);
    expect(refill({ level: 50, at: 0, capacity: 60 }, 10, 0).level).toBe(10);
    // A clock that steps back refills nothing and keeps the later instant.
    expect(refill({ level: 5, at: 10_000, capacity: 60 }, 60, 0)).toMatchObject({
      level: 5,
      at: 10_000,
    });
    expect(waitFor({ level: 0.5, at: 0, capacity: 60 }, 60, 1)).toBe(500);
    expect(waitFor({ level: 0, at: 0, capacity: 60 }, 60, 61)).toBe(Number.POSITIVE_INFINITY);
  });

  it("writes reset durations as OpenAI does", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(0.12)).toBe("120ms");
    expect(formatDuration(1.5)).toBe("1.5s");
    expect(formatDuration(360)).toBe("6m0s");
    expect(formatDuration(3723)).toBe("1h2m3s");
  });
});
