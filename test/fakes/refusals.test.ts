/**
 * Each fake refuses what its real API refuses (unknown fields, malformed image parts), with the
 * provider's status and words: the gateway's tests rely on it to catch a field that slips
 * through an adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyPngBase64 } from "./images.ts";
import { type FakeProvider, fakeKeys, startAllFakes } from "./index.ts";
import type { FakeServer } from "./server.ts";

let fakes: Awaited<ReturnType<typeof startAllFakes>>;
beforeAll(async () => {
  fakes = await startAllFakes();
});
afterAll(() => fakes.close());

const post = async (provider: FakeProvider, path: string, body: unknown) => {
  const server: FakeServer = fakes.servers[provider];
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${fakeKeys[provider]}`,
      "x-api-key": fakeKeys[provider],
      "anthropic-version": "2023-06-01",
      "x-goog-api-key": fakeKeys[provider],
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
};
const user = (content: unknown) => [{ role: "user", content }];

describe("the fakes refuse unknown fields as their providers do", () => {
  it.each([
    ["openai", "/v1/chat/completions", "Unrecognized request argument supplied: random_seed"],
    ["anthropic", "/v1/messages", "random_seed: Extra inputs are not permitted"],
    ["cohere", "/v2/chat", "parameter 'random_seed' is not a valid field"],
    ["mistral", "/v1/chat/completions", '"type":"extra_forbidden","loc":["body","seed"]'],
    ["ai21", "/v1/chat/completions", '"type":"extra_forbidden","loc":["body","random_seed"]'],
  ] as const)("%s", async (provider, path, words) => {
    const got = await post(provider, path, {
      model: "m",
      max_tokens: 5,
      messages: user("x"),
      // Mistral's name for a seed is everyone else's unknown field, and the other way round.
      ...(provider === "mistral" ? { seed: 1 } : { random_seed: 1 }),
    });
    expect(got.status).toBe(provider === "mistral" || provider === "ai21" ? 422 : 400);
    expect(got.text).toContain(words);
  });

  it("gemini, at the top level and in generationConfig", async () => {
    const path = "/v1beta/models/gemini-2.5-flash:generateContent";
    const contents = [{ role: "user", parts: [{ text: "x" }] }];
    const top = await post("gemini", path, { contents, stream_options: {} });
    expect(top.status).toBe(400);
    expect(JSON.parse(top.text).error.message).toContain('Unknown name "stream_options"');
    const nested = await post("gemini", path, { contents, generationConfig: { max_tokens: 5 } });
    expect(JSON.parse(nested.text).error.message).toContain(
      `Unknown name "max_tokens" at 'generation_config'`,
    );
  });
});

describe("the fakes check image parts in their own format", () => {
  it("openai: a URL or a base64 image data URI", async () => {
    const bad = await post("openai", "/v1/chat/completions", {
      model: "m",
      messages: user([{ type: "image_url", image_url: { url: "file:///etc/passwd" } }]),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("image_url.url");
  });

  it("anthropic: image blocks with a base64 source of a known type, or a URL", async () => {
    const good = await post("anthropic", "/v1/messages", {
      model: "m",
      max_tokens: 5,
      messages: user([
        { type: "image", source: { type: "base64", media_type: "image/png", data: tinyPngBase64 } },
        { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
      ]),
    });
    expect(good.status).toBe(200);
    const bad = await post("anthropic", "/v1/messages", {
      model: "m",
      max_tokens: 5,
      messages: user([
        { type: "image", source: { type: "base64", media_type: "image/bmp", data: tinyPngBase64 } },
      ]),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("messages.0.content.0.image.source.base64.media_type");
  });

  it("gemini: inlineData bytes in base64, no OpenAI-style parts", async () => {
    const path = "/v1beta/models/gemini-2.5-flash:generateContent";
    const ok = await post("gemini", path, {
      contents: [
        { role: "user", parts: [{ inlineData: { mimeType: "image/png", data: tinyPngBase64 } }] },
      ],
    });
    expect(ok.status).toBe(200);
    const openAiPart = await post("gemini", path, {
      contents: [{ role: "user", parts: [{ image_url: { url: "https://example.com/a.png" } }] }],
    });
    expect(JSON.parse(openAiPart.text).error.message).toContain(
      `Unknown name "image_url" at 'contents[0].parts[0]'`,
    );
    const notBase64 = await post("gemini", path, {
      contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: "%%%" } }] }],
    });
    expect(notBase64.text).toContain("Base64 decoding failed");
  });
});

describe("ai21 takes message content only as a string, and JSON only as json_object", () => {
  it("refuses content parts and json_schema with FastAPI's 422", async () => {
    const parts = await post("ai21", "/v1/chat/completions", {
      model: "jamba-mini",
      messages: user([{ type: "text", text: "x" }]),
    });
    expect(parts.status).toBe(422);
    expect(JSON.parse(parts.text).detail[0]).toMatchObject({
      type: "string_type",
      loc: ["body", "messages", 0, "user", "content"],
    });
    const schema = await post("ai21", "/v1/chat/completions", {
      model: "jamba-mini",
      messages: user("x"),
      response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } },
    });
    expect(schema.status).toBe(422);
    expect(JSON.parse(schema.text).detail[0].loc).toEqual(["body", "response_format", "type"]);
    const ok = await post("ai21", "/v1/chat/completions", {
      model: "jamba-mini",
      messages: user("x"),
      response_format: { type: "json_object" },
    });
    expect(ok.status).toBe(200);
  });

  it("answers a wrong key with its 401 detail", async () => {
    const res = await fetch(`${fakes.servers.ai21.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer wrong", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Forbidden: Bad or missing API token." });
  });
});
