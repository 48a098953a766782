/**
 * Test harness: the real edge app inside workerd with real D1, its provider bindings pointed at
 * the loopback fakes (running in Node), and the official `openai` SDK as the client.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { inject } from "vitest";
import { generateApiKeySecret, hashApiKey, randomId } from "../../shared/auth/api-keys.ts";
import { hashPassword } from "../../shared/auth/password.ts";
import type { Role } from "../../shared/db/schema/users.ts";
import { fakeBedrockRegion } from "../../test/fakes/bedrock-keys.ts";
import type { Bindings } from "../env.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import { createEdgeApp } from "../index.ts";

/** Provider bindings that point every provider at its fake. */
export function fakeProviderBindings(): Partial<Bindings> {
  const { urls, keys } = inject("fakes");
  return {
    OPENAI_API_KEY: keys.openai,
    OPENAI_BASE_URL: urls.openai,
    ANTHROPIC_API_KEY: keys.anthropic,
    ANTHROPIC_BASE_URL: urls.anthropic,
    COHERE_API_KEY: keys.cohere,
    COHERE_BASE_URL: urls.cohere,
    MISTRAL_API_KEY: keys.mistral,
    MISTRAL_BASE_URL: urls.mistral,
    GEMINI_API_KEY: keys.gemini,
    GEMINI_BASE_URL: urls.gemini,
    AZURE_API_KEY: keys.azure,
    AZURE_BASE_URL: urls.azure,
    AI21_API_KEY: keys.ai21,
    AI21_BASE_URL: urls.ai21,
    VERTEX_API_KEY: keys.vertex,
    VERTEX_BASE_URL: urls.vertex,
    BEDROCK_API_KEY: keys.bedrock,
    // A loopback host names no region: the fake's is given, as for a VPC endpoint.
    BEDROCK_BASE_URL: `${urls.bedrock}?region=${fakeBedrockRegion}`,
  };
}

/** A chat model of each provider, as its fake serves it (the matrices run over these). */
export const fakeChatModels = {
  openai: "gpt-4o-mini",
  anthropic: "claude-sonnet-4-5",
  cohere: "command-a-03-2025",
  mistral: "mistral-small-latest",
  gemini: "gemini-2.5-flash",
  azure: "my-gpt",
  ai21: "jamba-mini",
  vertex: "gemini-2.5-flash",
  bedrock: "anthropic.claude-3-5-sonnet-20240620-v1:0",
} as const;

/** How many calls each model name has had at `provider`'s fake. */
export async function fakeCalls(provider: string): Promise<Record<string, number>> {
  const res = await fetch(`${inject("fakes").urls[provider]}/__calls`);
  return (await res.json()) as Record<string, number>;
}

/** The most requests `provider`'s fake held at once, per model name. */
export async function fakePeaks(provider: string): Promise<Record<string, number>> {
  const res = await fetch(`${inject("fakes").urls[provider]}/__peak`);
  return (await res.json()) as Record<string, number>;
}

/** A request as a fake received it (`/__last`), by the model name it was for. */
export interface FakeReceived {
  path: string;
  search: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** The last request `provider`'s fake received for `model`, to check what the gateway sent. */
export async function fakeReceived(provider: string, model: string): Promise<FakeReceived> {
  const res = await fetch(
    `${inject("fakes").urls[provider]}/__last?key=${encodeURIComponent(model)}`,
  );
  return (await res.json()) as FakeReceived;
}

/**
 * Stores an API key with a known secret straight in D1 (its tenant too), as an operator's
 * bootstrap would; returns the secret and the key's id.
 */
export async function seedApiKey(
  scopes: string[] = ["*"],
  tenantId = "tenant-test",
  options: { expiresAt?: number } = {},
): Promise<{ secret: string; id: string }> {
  const secret = generateApiKeySecret();
  const id = randomId("key_");
  await env.DB.prepare("INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (?, ?, ?)")
    .bind(tenantId, tenantId, Date.now())
    .run();
  await env.DB.prepare(
    "INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      id,
      tenantId,
      "seeded",
      secret.slice(0, 11),
      await hashApiKey(secret),
      JSON.stringify(scopes),
      Date.now(),
      options.expiresAt ?? null,
    )
    .run();
  return { secret, id };
}

/** An `openai` client for the gateway with `apiKey`, sending through `fetch` (no retries). */
export function gatewayClient(apiKey: string, fetch: typeof globalThis.fetch): OpenAI {
  return new OpenAI({ baseURL: "http://edge/v1", apiKey, fetch, maxRetries: 0 });
}

/** Stores a user with a known password straight in D1 (its tenant too); returns the user's id. */
export async function seedUser(
  tenantId: string,
  username: string,
  password: string,
  role: Role,
): Promise<string> {
  const id = randomId("usr_");
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (?, ?, ?)").bind(
      tenantId,
      tenantId,
      Date.now(),
    ),
    env.DB.prepare(
      "INSERT INTO users (id, tenant_id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).bind(id, tenantId, username, await hashPassword(password), role, Date.now()),
  ]);
  return id;
}

/**
 * A routing policy with no retries whose alias `backup` tries `failing`, then falls back to
 * `answering` (both `provider/model`).
 */
export function fallbackPolicy(failing: string, answering: string): Record<string, unknown> {
  return {
    retry: { attempts: 0 },
    aliases: { backup: { targets: [{ model: failing }, { model: answering }] } },
  };
}

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  policy?: Record<string, unknown>;
  deps?: Partial<GatewayDeps>;
  bindings?: Partial<Bindings>;
}

/** A gateway app and an `openai` client that calls it in-process. */
export function startGateway({ policy, deps, bindings }: GatewayOptions = {}) {
  const app = createEdgeApp(deps);
  const allBindings = {
    ...env,
    ...fakeProviderBindings(),
    ...(policy ? { ROUTING_POLICY: policy } : {}),
    ...bindings,
  };
  // The client's key is known now and stored before the first call.
  const secret = generateApiKeySecret();
  let seeded: Promise<unknown> | undefined;
  const seed = () => {
    seeded ??= hashApiKey(secret).then((hash) =>
      env.DB.batch([
        env.DB.prepare(
          "INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES ('tenant-test', 'tenant-test', 0)",
        ),
        env.DB.prepare(
          "INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES (?, 'tenant-test', 'harness', ?, ?, '[\"*\"]', 0)",
        ).bind(randomId("key_"), secret.slice(0, 11), hash),
      ]),
    );
    return seeded;
  };
  /** Sends a request as is (no credentials added). */
  const background: Promise<unknown>[] = [];
  const callRaw = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    await seed();
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(input, init), allBindings, ctx);
    // A stream's waitUntil work (metering) ends with the stream: the reader must get it first.
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      background.push(waitOnExecutionContext(ctx));
    } else {
      await waitOnExecutionContext(ctx);
    }
    return res;
  };
  /** Waits for the background work of streamed answers already read. */
  const settled = () => Promise.all(background.splice(0));
  /** Sends a request with the harness's all-scopes key unless it carries credentials. */
  const call = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${secret}`);
    return callRaw(input, { ...init, headers });
  };
  const client = gatewayClient(secret, call);
  return { app, call, callRaw, client, secret, settled };
}

/** Reads a stream with the SDK, collecting text, finish reasons and the error it ended with. */
export async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = "";
  const finishes: string[] = [];
  let usage: OpenAI.CompletionUsage | undefined;
  const toolCalls: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? "";
        if (choice.finish_reason) finishes.push(choice.finish_reason);
        toolCalls.push(...(choice.delta.tool_calls ?? []));
      }
      if (chunk.usage) usage = chunk.usage;
    }
  } catch (err) {
    error = err;
  }
  return { text, finishes, usage, toolCalls, error };
}
