/**
 * `POST /v1/jobs/estimate` on the edge (the module both halves share): prompts sized as the
 * limits size them, output capped by the job's `max_tokens` (or the limits' default), the cost
 * bounded by the prices budgets use; a model no route serves is refused.
 */
import { describe, expect, it } from "vitest";
import { startGateway } from "../test/gateway.ts";

describe("job estimates on the edge", () => {
  const { call } = startGateway({
    policy: {
      aliases: {
        mixed: { targets: [{ model: "openai/gpt-4o-mini" }, { model: "openai/gpt-4o" }] },
        unpriced: { targets: [{ model: "openai/gpt-unlisted" }] },
      },
    },
  });
  const post = (path: string, body: unknown) =>
    call(`http://edge${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const topics = ["rain", "a very long topic about the history of the northern lights", "tea"];
  const promptOf = (topic: string) => `Write a short story about ${topic}.`;

  it("sizes the prompts, caps the output and bounds the cost at the model's prices", async () => {
    expect(
      (
        await post("/v1/templates", {
          name: "estimate",
          prompt: "Write a short story about {{ topic }}.",
        })
      ).status,
    ).toBe(201);
    const job = {
      template: "estimate",
      rows: topics.map((topic) => ({ topic })),
      samples_per_row: 2,
      params: { max_tokens: 100 },
    };
    const res = await post("/v1/jobs/estimate", { ...job, model: "openai/gpt-4o-mini" });
    expect(res.status).toBe(200);
    const estimate = (await res.json()) as Record<string, unknown>;
    // About four characters a token, as the edge's limits count them.
    const promptTokens = 2 * topics.reduce((sum, t) => sum + Math.ceil(promptOf(t).length / 4), 0);
    expect(estimate).toEqual({
      object: "job_estimate",
      model: "openai/gpt-4o-mini",
      samples: 6,
      prompt_tokens: promptTokens,
      prompt_tokens_exact: false,
      max_completion_tokens: 600,
      tokens_per_second: null,
      max_seconds: null,
      // The catalogue's gpt-4o-mini: $0.15 in and $0.60 out per million tokens.
      max_cost_usd: expect.closeTo((promptTokens * 0.15 + 600 * 0.6) / 1e6, 12),
    });

    // An alias may reach its dearest target ($2.50 / $10); without a cap, 1,024 tokens a call.
    const mixed = (await (
      await post("/v1/jobs/estimate", { ...job, params: {}, model: "mixed" })
    ).json()) as Record<string, number>;
    expect(mixed.max_completion_tokens).toBe(6 * 1024);
    expect(mixed.max_cost_usd).toBeCloseTo((promptTokens * 2.5 + 6 * 1024 * 10) / 1e6, 12);
    // No price for a target it may reach: the cost cannot be bounded.
    const unpriced = (await (
      await post("/v1/jobs/estimate", { ...job, model: "unpriced" })
    ).json()) as Record<string, unknown>;
    expect(unpriced.max_cost_usd).toBeNull();
  });

  it("refuses a model no route serves, and a template that does not exist", async () => {
    expect(
      (await post("/v1/templates", { name: "estimate-refused", prompt: "Hi {{ topic }}" })).status,
    ).toBe(201);
    const unknown = await post("/v1/jobs/estimate", {
      template: "estimate-refused",
      rows: [{ topic: "x" }],
      model: "nobody/nothing",
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { param: "model" } });
    const missing = await post("/v1/jobs/estimate", {
      template: "no-such-template",
      rows: [{ topic: "x" }],
      model: "openai/gpt-4o-mini",
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { param: "template" } });
  });
});
