/** Embeddings and model listing in OpenAI's format, shared by OpenAI-compatible providers. */
import type { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import type {
  EmbeddingResult,
  EmbeddingsAdapter,
  ModelsAdapter,
  ProviderCredentials,
  Target,
} from "../types.ts";
import { bearerEndpoint, type Endpoint } from "./endpoint.ts";

/** How a dialect differs from OpenAI's embeddings. */
export interface EmbeddingsDialect {
  body?(body: Record<string, unknown>, req: EmbeddingRequest): Record<string, unknown>;
  /** Where the route is and how to authenticate (default OpenAI's). */
  endpoint?: Endpoint;
}

/** Decodes a base64 little-endian float32 vector (OpenAI's `encoding_format: "base64"`). */
function decodeBase64Floats(value: string): number[] {
  const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  return Array.from(new Float32Array(bytes.buffer));
}

/** Builds the embeddings adapter of an OpenAI-compatible provider. */
export function openAiCompatibleEmbeddings(dialect: EmbeddingsDialect = {}): EmbeddingsAdapter {
  return {
    request(req: EmbeddingRequest, target: Target) {
      // Always floats upstream: the gateway encodes for the client, whatever the provider.
      const { encoding_format: _, ...rest } = req;
      let body: Record<string, unknown> = { ...rest, model: target.model };
      if (dialect.body) body = dialect.body(body, req);
      return {
        ...(dialect.endpoint ?? bearerEndpoint)(target, "embeddings", target.model),
        method: "POST",
        body,
      };
    },
    response(raw: unknown): EmbeddingResult {
      const body = raw as {
        data?: { index?: number; embedding: number[] | string }[];
        usage?: { prompt_tokens?: number };
      };
      const data = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return {
        vectors: data.map((d) =>
          typeof d.embedding === "string" ? decodeBase64Floats(d.embedding) : d.embedding,
        ),
        promptTokens: body.usage?.prompt_tokens ?? 0,
      };
    },
  };
}

/** `GET /v1/models` of an OpenAI-compatible provider. */
export function openAiCompatibleModels(endpoint: Endpoint = bearerEndpoint): ModelsAdapter {
  return {
    request(credentials: ProviderCredentials) {
      return { ...endpoint(credentials, "models"), method: "GET" };
    },
    response(raw: unknown) {
      return ((raw as { data?: { id: string }[] }).data ?? []).map((m) => m.id);
    },
  };
}
