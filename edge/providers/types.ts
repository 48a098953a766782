/**
 * Providers are data: each one is a {@link ProviderConfig} assembled from small transforms
 * (request map, response transform, stream-chunk translator) per capability. The gateway only
 * ever speaks OpenAI's shapes; the adapters translate at the edge of the call.
 */

import type { ResponseContext } from "../../shared/api/openai-shapes.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from "../../shared/api/schemas/chat.ts";
import type { Usage } from "../../shared/api/schemas/common.ts";
import type { Completion, CompletionRequest } from "../../shared/api/schemas/completions.ts";
import type { EmbeddingRequest } from "../../shared/api/schemas/embeddings.ts";
import type { SseEvent } from "../../shared/sse/index.ts";
import type { ImageFetcher } from "./images.ts";

/** The providers the edge calls over HTTP with an API key (the server's or a tenant's). */
export const providerNames = [
  "openai",
  "anthropic",
  "cohere",
  "mistral",
  "gemini",
  "azure",
  "ai21",
  "vertex",
  "bedrock",
  // OpenAI-compatible presets (edge/providers/presets.ts).
  "groq",
  "together",
  "fireworks",
  "deepseek",
  "openrouter",
] as const;
export type ProviderName = (typeof providerNames)[number];
/**
 * Every provider a target can name: the keyed ones, and `site`, an appliance site of the hybrid
 * link reached through its hub (edge/hub) instead of the internet.
 */
export type TargetProvider = ProviderName | "site";

/**
 * How a target is reached when not by the gateway's own `fetch`: a site's hub. Given one
 * attempt's time limit, it returns the `fetch` that attempt uses.
 */
export type Transport = (timeoutMs: number) => typeof fetch;

/** Where a provider is reached and with which key (from secrets, via edge/env.ts). */
export interface ProviderCredentials {
  baseUrl: string;
  apiKey: string;
  /**
   * Whose key this is when not the server's (a tenant id), or which site this is (its internal
   * id): circuits are kept apart per owner.
   */
  owner?: string;
}

/** A site the caller may use: its hub as the transport, and its internal id as the owner. */
export interface SiteCredentials extends ProviderCredentials {
  owner: string;
  transport: Transport;
}

/** One upstream model a call can go to. */
export interface Target extends ProviderCredentials {
  /** `provider/model` or `site:<site>/<model>`, as named in the `x-textnlp-target` header. */
  id: string;
  provider: TargetProvider;
  /** The provider's own model name. */
  model: string;
  /** Set for a site: its hub, which every call to this target goes through. */
  transport?: Transport;
}

/** An HTTP call to a provider, before it is sent. */
export interface UpstreamCall {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: unknown;
}

/** A call as it goes out: its body serialised, so a signature can cover it. */
export interface OutgoingCall {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body: string | undefined;
}

/** What a provider's `authorize` may use: the gateway's fetch and clock, the attempt's signal. */
export interface AuthorizeDeps {
  fetch: typeof fetch;
  now(): number;
  signal: AbortSignal;
}

/** One server-sent event as read off the wire (the shared reader's). */
/** What every OpenAI chunk and completion the gateway emits carries (`model`: the target's id). */
export type { ResponseContext, SseEvent };

/**
 * Turns a provider's stream events into OpenAI chunks. `complete` becomes true only on the
 * provider's terminal event; in-band errors throw an `UpstreamError`.
 */
export interface StreamTranslator<C = ChatCompletionChunk> {
  push(event: SseEvent): C[];
  readonly complete: boolean;
  readonly usage: Usage | undefined;
}

/** Chat completions for one provider. */
export interface ChatAdapter {
  /**
   * Fetches what `request` needs from elsewhere (the bytes behind image URLs, for a provider
   * that takes only bytes) and returns the request with it inlined; absent when not needed.
   */
  resolve?(req: ChatCompletionRequest, fetchImage: ImageFetcher): Promise<ChatCompletionRequest>;
  request(req: ChatCompletionRequest, target: Target): UpstreamCall;
  response(body: unknown, ctx: ResponseContext): ChatCompletion;
  stream(ctx: ResponseContext): StreamTranslator;
}

/** Legacy text completions (`/v1/completions`); chunks have the completion's own shape. */
export interface CompletionsAdapter {
  request(req: CompletionRequest, target: Target): UpstreamCall;
  response(body: unknown, ctx: ResponseContext): Completion;
  stream(ctx: ResponseContext): StreamTranslator<Completion>;
}

/** Float vectors and usage, before the gateway encodes them as the client asked. */
export interface EmbeddingResult {
  vectors: number[][];
  promptTokens: number;
}

/** Embeddings for one provider. */
export interface EmbeddingsAdapter {
  request(req: EmbeddingRequest, target: Target): UpstreamCall;
  response(body: unknown): EmbeddingResult;
}

/** Model listing for one provider. */
export interface ModelsAdapter {
  request(credentials: ProviderCredentials): UpstreamCall;
  /** The provider's own model names. */
  response(body: unknown): string[];
}

/** A provider, as data. A missing adapter is a capability the provider lacks. */
export interface ProviderConfig {
  name: TargetProvider;
  defaultBaseUrl: string;
  chat?: ChatAdapter;
  completions?: CompletionsAdapter;
  embeddings?: EmbeddingsAdapter;
  models?: ModelsAdapter;
  /**
   * Authorises a call whose body is final, on every attempt, returning headers to add: an AWS
   * SigV4 signature, or an OAuth access token (fetched with `deps.fetch` and cached). Absent:
   * the adapter's own headers (an API key) suffice.
   */
  authorize?(
    call: OutgoingCall,
    credentials: ProviderCredentials,
    deps: AuthorizeDeps,
  ): Promise<Record<string, string>>;
  /** Reads a streamed answer's events (a binary framing, as events); absent: server-sent events. */
  events?(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent>;
  /**
   * Reads a message (and code) out of the provider's error body, and its answer's headers
   * where the type is kept there (Bedrock's `x-amzn-ErrorType`).
   */
  errorMessage(body: unknown, headers?: Headers): { message: string; code?: string | null };
}
