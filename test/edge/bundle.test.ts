/**
 * The deployable bundle of the edge in Miniflare, driven from Node by the official `openai`
 * SDK, with the provider fakes on loopback: what `wrangler deploy` ships works end to end.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeBedrockRegion } from "../fakes/bedrock-keys.ts";
import { fakeKeys, startAllFakes } from "../fakes/index.ts";
import { type EdgeWorker, startEdgeWorker } from "../helpers/edge.ts";

let edge: EdgeWorker;
let fakes: Awaited<ReturnType<typeof startAllFakes>>;
let client: OpenAI;

beforeAll(async () => {
  fakes = await startAllFakes();
  const { servers } = fakes;
  edge = await startEdgeWorker(
    {
      OPENAI_API_KEY: fakeKeys.openai,
      OPENAI_BASE_URL: servers.openai.url,
      ANTHROPIC_API_KEY: fakeKeys.anthropic,
      ANTHROPIC_BASE_URL: servers.anthropic.url,
      COHERE_API_KEY: fakeKeys.cohere,
      COHERE_BASE_URL: servers.cohere.url,
      GEMINI_API_KEY: fakeKeys.gemini,
      GEMINI_BASE_URL: servers.gemini.url,
      BEDROCK_API_KEY: fakeKeys.bedrock,
      BEDROCK_BASE_URL: `${servers.bedrock.url}?region=${fakeBedrockRegion}`,
      ROUTING_POLICY: JSON.stringify({
        aliases: {
          smart: { targets: [{ model: "openai/m-err503" }, { model: "anthropic/claude-x" }] },
        },
        retry: { attempts: 0 },
      }),
      LIMITS: JSON.stringify({ key: { requests_per_minute: 1000 } }),
    },
    { responseCache: true },
  );
  client = new OpenAI({
    baseURL: "http://edge.local/v1",
    apiKey: await edge.seedApiKey(),
    fetch: edge.fetch,
    maxRetries: 0,
  });
}, 120_000);

afterAll(async () => {
  await edge?.dispose();
  await fakes?.close();
});

describe("the edge bundle in Miniflare", () => {
  it("serves chat through an alias with fallback, streams, embeddings and models", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "smart", messages: [{ role: "user", content: "hello edge" }] })
      .withResponse();
    expect(response.headers.get("x-textnlp-target")).toBe("anthropic/claude-x");
    // Counted by the bundle's own RateLimiter Durable Object.
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("999");
    expect(data.choices[0]?.message.content).toBe("Hello from anthropic! You said: hello edge");

    // Streams: Gemini's SSE, and Bedrock's binary event stream (SigV4-signed) read by the bundled
    // Smithy codec.
    for (const [provider, model] of [
      ["gemini", "gemini-2.5-flash"],
      ["bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0"],
    ]) {
      let text = "";
      for await (const chunk of await client.chat.completions.create({
        model: `${provider}/${model}`,
        messages: [{ role: "user", content: "stream please" }],
        stream: true,
      })) {
        text += chunk.choices[0]?.delta.content ?? "";
      }
      expect(text).toBe(`Hello from ${provider}! You said: stream please`);
    }

    const emb = await client.embeddings.create({ model: "cohere/embed-v4.0", input: "ab" });
    expect(emb.data[0]?.embedding).toEqual([2, 0, 0.25, -0.5]);
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(["smart", "openai/gpt-4o-mini", "gemini/gemini-2.5-flash"]),
    );
  });

  it("answers a repeated deterministic request from its KV cache", async () => {
    const request = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user" as const, content: "cache in the bundle" }],
      temperature: 0,
    };
    const first = await client.chat.completions.create(request).withResponse();
    const second = await client.chat.completions.create(request).withResponse();
    expect(first.response.headers.get("x-textnlp-cache")).toBe("miss");
    expect(second.response.headers.get("x-textnlp-cache")).toBe("hit");
    expect(second.data).toEqual(first.data);
  });

  it("serves /docs with Swagger UI from the bundle itself", async () => {
    const html = await (await edge.fetch("http://edge.local/docs")).text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs).toHaveLength(3);
    for (const ref of refs) {
      expect(ref.startsWith("/docs/assets/"), ref).toBe(true);
      const asset = await edge.fetch(`http://edge.local${ref}`);
      expect(asset.status, ref).toBe(200);
      expect((await asset.text()).length, ref).toBeGreaterThan(100);
    }
    const bundle = await (
      await edge.fetch("http://edge.local/docs/assets/swagger-ui-bundle.js")
    ).text();
    expect(bundle).toContain("SwaggerUIBundle");
  });
});
