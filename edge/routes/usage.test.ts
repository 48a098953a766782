/**
 * Metering in workerd with real D1: every inference call (plain, streamed, failed, cut) is
 * recorded with tokens, cost and status, and `GET /v1/usage` sums it per tenant.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { collect, seedApiKey, startGateway } from "../test/gateway.ts";

interface Row {
  day: string;
  model: string;
  key_id: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
}

describe("usage metering", () => {
  it("records each call and reports it by day, model and key, per tenant", async () => {
    // Absurd prices keep the expected cost exact: $1 per prompt token, $2 per completion token.
    const policy = {
      retry: { attempts: 0 },
      aliases: {
        priced: {
          targets: [
            {
              model: "openai/gpt-4o-mini",
              inputPerMillion: 1_000_000,
              outputPerMillion: 2_000_000,
            },
          ],
        },
      },
    };
    const { callRaw, settled } = startGateway({ policy });
    const key = await seedApiKey(["*"], "tenant-usage");
    const client = new OpenAI({
      baseURL: "http://edge/v1",
      apiKey: key.secret,
      fetch: callRaw,
      maxRetries: 0,
    });
    const hi = [{ role: "user" as const, content: "hi there" }];

    await client.chat.completions.create({ model: "priced", messages: hi });
    await collect(
      await client.chat.completions.create({
        model: "openai/gpt-4o-mini",
        messages: hi,
        stream: true,
      }),
    );
    await client.embeddings.create({ model: "cohere/embed-v4.0", input: "ab" });
    await client.chat.completions
      .create({ model: "openai/m-err400", messages: hi })
      .catch(() => {});
    await collect(
      await client.chat.completions.create({
        model: "anthropic/m-cut",
        messages: hi,
        stream: true,
      }),
    );
    await settled();

    const res = await callRaw("http://edge/v1/usage", {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(200);
    const rows = (await res.json<{ data: Row[] }>()).data;
    const byModel = Object.fromEntries(rows.map((r) => [r.model, r]));
    const today = new Date().toISOString().slice(0, 10);
    expect(byModel.priced).toEqual({
      day: today,
      model: "priced",
      key_id: key.id,
      requests: 1,
      errors: 0,
      prompt_tokens: 2,
      completion_tokens: 7,
      cost_usd: 16,
    });
    // A direct name is priced by the model catalogue ($0.15 / $0.60 per million).
    const direct = byModel["openai/gpt-4o-mini"];
    expect(direct).toMatchObject({ requests: 1, errors: 0, completion_tokens: 7 });
    expect(direct?.cost_usd).toBeCloseTo(((direct?.prompt_tokens ?? 0) * 0.15 + 7 * 0.6) / 1e6, 12);
    expect(byModel["cohere/embed-v4.0"]?.cost_usd).toBeNull();
    expect(byModel["cohere/embed-v4.0"]).toMatchObject({
      requests: 1,
      prompt_tokens: 1,
      completion_tokens: 0,
    });
    expect(byModel["openai/m-err400"]).toMatchObject({ requests: 1, errors: 1 });
    expect(byModel["anthropic/m-cut"]).toMatchObject({ requests: 1, errors: 1 });

    const other = await seedApiKey(["usage:read"], "tenant-usage-other");
    const otherRes = await callRaw("http://edge/v1/usage", {
      headers: { authorization: `Bearer ${other.secret}` },
    });
    expect((await otherRes.json<{ data: Row[] }>()).data).toEqual([]);
    const noScope = await seedApiKey(["inference"], "tenant-usage");
    const refused = await callRaw("http://edge/v1/usage", {
      headers: { authorization: `Bearer ${noScope.secret}` },
    });
    expect(refused.status).toBe(403);
    const bad = await callRaw("http://edge/v1/usage?from=yesterday-ish", {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(bad.status).toBe(400);
  });
});
