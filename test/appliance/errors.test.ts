import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 as prng } from "../../shared/synth/prng.ts";
import { type ApplianceProcess, STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";

const model = "stories260K";
const chat = (extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content: "hi" }],
  max_tokens: 4,
  ...extra,
});

describe("bad input gets OpenAI's error envelope, never a 5xx", () => {
  let appliance: ApplianceProcess;
  let url: string;

  beforeAll(async () => {
    appliance = await startAppliance({
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_BODY_LIMIT: "65536", TEXTNLP_CONTEXT_SIZE: "256" },
    });
    url = appliance.url;
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("malformed JSON → 400 invalid_json", async () => {
    expectEnvelope(
      await raw(`${url}/v1/chat/completions`, { method: "POST", body: '{"model": "x", ' }),
      400,
      {
        code: "invalid_json",
      },
    );
  });

  it("schema violations → 400 naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ messages: [{ role: "user", content: "hi" }] }, "model"],
      [{ model, messages: [] }, "messages"],
      [chat({ messages: [{ role: "wizard", content: "hi" }] }), "messages.0.role"],
      [chat({ temperature: 2.5 }), "temperature"],
      [chat({ top_p: 0 }), "top_p"],
      [chat({ n: 0 }), "n"],
      [chat({ n: 17 }), "n"],
      [chat({ max_tokens: -1 }), "max_tokens"],
      [chat({ max_tokens: 1.5 }), "max_tokens"],
      [chat({ stop: ["a", "b", "c", "d", "e"] }), "stop"],
      [chat({ seed: "x" }), "seed"],
      [chat({ response_format: { type: "yaml" } }), "response_format.type"],
    ];
    for (const [body, param] of cases) {
      const res = await raw(`${url}/v1/chat/completions`, { method: "POST", json: body });
      expectEnvelope(res, 400, { type: "invalid_request_error" });
      expect(String(res.body.error?.param), JSON.stringify(body)).toMatch(
        new RegExp(`^${param.replace(".", "\\.")}`),
      );
    }
    const emb = await raw(`${url}/v1/embeddings`, { method: "POST", json: { model, input: [] } });
    expectEnvelope(emb, 400, { param: "input" });
  });

  it("unknown model → 404 model_not_found on every generating route", async () => {
    for (const [path, body] of [
      ["/v1/chat/completions", chat({ model: "nope" })],
      ["/v1/completions", { model: "nope", prompt: "x" }],
      ["/v1/embeddings", { model: "nope", input: "x" }],
    ] as const) {
      expectEnvelope(await raw(`${url}${path}`, { method: "POST", json: body }), 404, {
        code: "model_not_found",
        param: "model",
      });
    }
  });

  it("oversized body → 413, context overflow → 400 context_length_exceeded", async () => {
    const big = chat({ messages: [{ role: "user", content: "x".repeat(70_000) }] });
    expectEnvelope(await raw(`${url}/v1/chat/completions`, { method: "POST", json: big }), 413, {
      code: "body_too_large",
    });
    const long = chat({
      messages: [{ role: "user", content: "the cat sat on the mat ".repeat(100) }],
    });
    expectEnvelope(await raw(`${url}/v1/chat/completions`, { method: "POST", json: long }), 400, {
      code: "context_length_exceeded",
    });
    const longCompletion = { model, prompt: "a dog ran ".repeat(200) };
    expectEnvelope(
      await raw(`${url}/v1/completions`, { method: "POST", json: longCompletion }),
      400,
      {
        code: "context_length_exceeded",
      },
    );
  });

  it("a response schema that is not a JSON Schema → clear 400", async () => {
    const res = await raw(`${url}/v1/chat/completions`, {
      method: "POST",
      json: chat({
        response_format: {
          type: "json_schema",
          json_schema: { name: "x", schema: { type: "frobnicate" } },
        },
      }),
    });
    expectEnvelope(res, 400);
  });

  it("unknown routes and wrong methods → 404 envelope", async () => {
    expectEnvelope(await raw(`${url}/v1/nothing`), 404);
    expectEnvelope(await raw(`${url}/v1/chat/completions`, { method: "GET" }), 404);
  });

  it("fuzz: 300 malformed bodies across every route get 4xx envelopes, never 5xx", async () => {
    const rand = prng(20261125);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    const junk = (depth = 0): unknown => {
      const kind = Math.floor(rand() * (depth > 2 ? 6 : 8));
      switch (kind) {
        case 0:
          return null;
        case 1:
          return rand() < 0.5;
        case 2:
          return pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, 3, 17, 100000]);
        case 3:
          return pick([
            "",
            "x",
            "stories260K",
            "\u0000",
            "🙂".repeat(10),
            "a".repeat(300),
            "user",
            "json_schema",
          ]);
        case 4:
          return [];
        case 5:
          return {};
        case 6:
          return Array.from({ length: Math.floor(rand() * 4) }, () => junk(depth + 1));
        default:
          return Object.fromEntries(
            Array.from({ length: Math.floor(rand() * 4) }, () => [pick(FIELDS), junk(depth + 1)]),
          );
      }
    };
    const FIELDS = [
      "model",
      "messages",
      "role",
      "content",
      "prompt",
      "input",
      "n",
      "stop",
      "max_tokens",
      "temperature",
      "top_p",
      "seed",
      "stream",
      "response_format",
      "type",
      "json_schema",
      "schema",
      "tools",
      "tool_choice",
      "encoding_format",
    ];
    const routes = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] as const;
    const bases: Record<(typeof routes)[number], Record<string, unknown>> = {
      "/v1/chat/completions": chat({ max_tokens: 2 }),
      "/v1/completions": { model, prompt: "a", max_tokens: 2 },
      "/v1/embeddings": { model, input: "a" },
    };
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const route = pick(routes);
      let body: string;
      const mode = rand();
      if (mode < 0.4) {
        // A valid body with one field replaced by junk.
        const mutated: Record<string, unknown> = { ...bases[route], [pick(FIELDS)]: junk() };
        if (rand() < 0.3) delete mutated[pick(Object.keys(mutated))];
        body = JSON.stringify(mutated);
      } else if (mode < 0.7) {
        body = JSON.stringify(junk());
      } else if (mode < 0.85) {
        const text = JSON.stringify(bases[route]);
        body = text.slice(0, Math.floor(rand() * text.length));
      } else {
        body = Array.from({ length: 40 }, () => String.fromCharCode(Math.floor(rand() * 256))).join(
          "",
        );
      }
      const method = rand() < 0.9 ? "POST" : pick(["PUT", "DELETE", "PATCH"]);
      const contentType =
        rand() < 0.9
          ? "application/json"
          : pick(["text/plain", "application/x-www-form-urlencoded", ""]);
      const res = await fetch(`${url}${route}`, {
        method,
        body,
        headers: contentType ? { "content-type": contentType } : {},
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(
        res.status,
        `case ${i}: ${method} ${route} ${body.slice(0, 200)} → ${text.slice(0, 200)}`,
      ).toBeLessThan(500);
      if (res.status >= 400)
        expect(JSON.parse(text).error?.message, `case ${i}`).toEqual(expect.any(String));
    }
    // The fuzz must mostly exercise refusals, not happy paths.
    expect(
      [...statuses.entries()].filter(([s]) => s >= 400).reduce((a, [, n]) => a + n, 0),
    ).toBeGreaterThan(200);
  });
});

describe("API keys", () => {
  let appliance: ApplianceProcess;

  beforeAll(async () => {
    appliance = await startAppliance({
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_API_KEY: "initial-secret-key-0123456789" },
    });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("refuses a missing or wrong key with 401 and accepts the configured one", async () => {
    const url = `${appliance.url}/v1/models`;
    expectEnvelope(await raw(url), 401, { code: "missing_api_key", type: "authentication_error" });
    expectEnvelope(await raw(url, { headers: { authorization: "Bearer wrong-key" } }), 401, {
      code: "invalid_api_key",
    });
    const ok = await raw(url, {
      headers: { authorization: "Bearer initial-secret-key-0123456789" },
    });
    expect(ok.status).toBe(200);
    // Health and docs stay reachable without a key.
    expect((await raw(`${appliance.url}/health`)).status).toBe(200);
  });
});
