import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seedApiKey } from "../test/gateway.ts";

describe("edge GET /v1/models (workerd, real D1)", () => {
  it("lists the models stored in D1 through the shared schema", async () => {
    const { secret } = await seedApiKey(["models:read"]);
    const headers = { authorization: `Bearer ${secret}` };
    const empty = await exports.default.fetch("http://edge/v1/models", { headers });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ object: "list", data: [] });

    await env.DB.prepare(
      "INSERT INTO models (name, path, sha256, size_bytes, created_at) VALUES (?, ?, ?, ?, ?)",
    )
      .bind("tiny", "/m/tiny.gguf", "ab".repeat(32), 123, 1_700_000_000_000)
      .run();
    const res = await exports.default.fetch("http://edge/v1/models", { headers });
    expect(await res.json()).toEqual({
      object: "list",
      data: [{ id: "tiny", object: "model", created: 1_700_000_000, owned_by: "textnlp" }],
    });
  });

  it("publishes its OpenAPI document without credentials", async () => {
    const res = await exports.default.fetch("http://edge/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json<{ info: { title: string }; paths: Record<string, unknown> }>();
    expect(doc.info.title).toBe("TextNLP edge API");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/models",
        "/v1/admin/keys",
      ]),
    );
  });

  it("answers unknown routes with OpenAI's error envelope", async () => {
    const res = await exports.default.fetch("http://edge/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: "route_not_found", type: "invalid_request_error" },
    });
  });
});
