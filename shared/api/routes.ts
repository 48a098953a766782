import { createRoute, z } from "@hono/zod-openapi";
import {
  ApiKeyCreated,
  ApiKeyInfo,
  ApiKeyList,
  CreateApiKeyRequest,
  ProviderKeyInfo,
  ProviderKeyList,
  PutProviderKeyRequest,
  UsageQuery,
  UsageReport,
} from "./schemas/admin.ts";
import { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from "./schemas/chat.ts";
import { ErrorEnvelopeSchema, errorResponses } from "./schemas/common.ts";
import { Completion, CompletionRequest } from "./schemas/completions.ts";
import { EmbeddingList, EmbeddingRequest } from "./schemas/embeddings.ts";
import { Health, Model, ModelList } from "./schemas/models.ts";

const bearer = [{ bearerAuth: [] }];

/** `POST /v1/chat/completions`: JSON, or SSE chunks ending with `data: [DONE]` when `stream`. */
export const chatCompletionsRoute = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags: ["OpenAI-compatible"],
  summary: "Create a chat completion",
  security: bearer,
  request: {
    body: { required: true, content: { "application/json": { schema: ChatCompletionRequest } } },
  },
  responses: {
    200: {
      description: "A completion, or a stream of chunks when `stream` is true",
      content: {
        "application/json": { schema: ChatCompletion },
        "text/event-stream": { schema: ChatCompletionChunk },
      },
    },
    ...errorResponses,
  },
});

/** `POST /v1/completions`: legacy text completion. */
export const completionsRoute = createRoute({
  method: "post",
  path: "/v1/completions",
  tags: ["OpenAI-compatible"],
  summary: "Create a text completion",
  security: bearer,
  request: {
    body: { required: true, content: { "application/json": { schema: CompletionRequest } } },
  },
  responses: {
    200: {
      description: "A completion, or a stream of chunks when `stream` is true",
      content: {
        "application/json": { schema: Completion },
        "text/event-stream": { schema: Completion },
      },
    },
    ...errorResponses,
  },
});

/** `POST /v1/embeddings`. */
export const embeddingsRoute = createRoute({
  method: "post",
  path: "/v1/embeddings",
  tags: ["OpenAI-compatible"],
  summary: "Create embeddings",
  security: bearer,
  request: {
    body: { required: true, content: { "application/json": { schema: EmbeddingRequest } } },
  },
  responses: {
    200: { description: "Embeddings", content: { "application/json": { schema: EmbeddingList } } },
    ...errorResponses,
  },
});

/** `GET /v1/models`. */
export const listModelsRoute = createRoute({
  method: "get",
  path: "/v1/models",
  tags: ["OpenAI-compatible"],
  summary: "List models",
  security: bearer,
  responses: {
    200: { description: "Models", content: { "application/json": { schema: ModelList } } },
    ...errorResponses,
  },
});

/** `GET /v1/models/{model}`: one model (a `provider/model` name is sent URL-encoded). */
export const retrieveModelRoute = createRoute({
  method: "get",
  path: "/v1/models/{model}",
  tags: ["OpenAI-compatible"],
  summary: "Retrieve a model",
  security: bearer,
  request: {
    params: z.object({
      model: z
        .string()
        .min(1)
        .openapi({ param: { name: "model", in: "path" }, example: "llama" }),
    }),
  },
  responses: {
    200: { description: "The model", content: { "application/json": { schema: Model } } },
    ...errorResponses,
  },
});

/** `GET /health`: liveness, no auth. */
export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness",
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: Health } } },
  },
});

/** The 403 answer of routes that need a scope. */
export const forbidden = {
  403: {
    description: "The credentials lack the scope or role this route needs",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
} as const;

/** `POST /v1/admin/keys`: a new API key for the caller's tenant; the secret is shown once. */
export const createApiKeyRoute = createRoute({
  method: "post",
  path: "/v1/admin/keys",
  tags: ["Admin"],
  summary: "Create an API key",
  security: bearer,
  request: {
    body: { required: true, content: { "application/json": { schema: CreateApiKeyRequest } } },
  },
  responses: {
    201: {
      description: "The key, with its secret",
      content: { "application/json": { schema: ApiKeyCreated } },
    },
    ...errorResponses,
    ...forbidden,
  },
});

/** `GET /v1/admin/keys`: the caller's tenant's keys, without secrets. */
export const listApiKeysRoute = createRoute({
  method: "get",
  path: "/v1/admin/keys",
  tags: ["Admin"],
  summary: "List API keys",
  security: bearer,
  responses: {
    200: { description: "Keys", content: { "application/json": { schema: ApiKeyList } } },
    ...errorResponses,
    ...forbidden,
  },
});

/** `DELETE /v1/admin/keys/{id}`: revokes a key of the caller's tenant. */
export const revokeApiKeyRoute = createRoute({
  method: "delete",
  path: "/v1/admin/keys/{id}",
  tags: ["Admin"],
  summary: "Revoke an API key",
  security: bearer,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: {
    200: {
      description: "The revoked key",
      content: { "application/json": { schema: ApiKeyInfo } },
    },
    ...errorResponses,
    ...forbidden,
  },
});

const providerParam = z.object({ provider: z.string().regex(/^[a-z]{2,32}$/) });

/** `PUT /v1/admin/provider-keys/{provider}`: stores (sealed) the tenant's own provider key. */
export const putProviderKeyRoute = createRoute({
  method: "put",
  path: "/v1/admin/provider-keys/{provider}",
  tags: ["Admin"],
  summary: "Set the tenant's key for a provider",
  security: bearer,
  request: {
    params: providerParam,
    body: { required: true, content: { "application/json": { schema: PutProviderKeyRequest } } },
  },
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: ProviderKeyInfo } } },
    ...errorResponses,
    ...forbidden,
  },
});

/** `GET /v1/admin/provider-keys`: the tenant's provider keys, without secrets. */
export const listProviderKeysRoute = createRoute({
  method: "get",
  path: "/v1/admin/provider-keys",
  tags: ["Admin"],
  summary: "List the tenant's provider keys",
  security: bearer,
  responses: {
    200: { description: "Keys", content: { "application/json": { schema: ProviderKeyList } } },
    ...errorResponses,
    ...forbidden,
  },
});

/** `DELETE /v1/admin/provider-keys/{provider}`: back to the server's key for that provider. */
export const deleteProviderKeyRoute = createRoute({
  method: "delete",
  path: "/v1/admin/provider-keys/{provider}",
  tags: ["Admin"],
  summary: "Remove the tenant's key for a provider",
  security: bearer,
  request: { params: providerParam },
  responses: {
    200: { description: "Removed", content: { "application/json": { schema: ProviderKeyInfo } } },
    ...errorResponses,
    ...forbidden,
  },
});

/** `GET /v1/usage`: the caller's tenant's calls by day, model and key. */
export const usageRoute = createRoute({
  method: "get",
  path: "/v1/usage",
  tags: ["Admin"],
  summary: "Usage by day, model and key",
  security: bearer,
  request: { query: UsageQuery },
  responses: {
    200: { description: "Usage", content: { "application/json": { schema: UsageReport } } },
    ...errorResponses,
    ...forbidden,
  },
});

/** Fields of the OpenAPI document both servers publish. */
export const openApiInfo = {
  openapi: "3.1.0",
  info: {
    title: "TextNLP API",
    version: "0.1.0",
    description: "OpenAI-compatible inference and synthetic-data API.",
  },
} as const;
