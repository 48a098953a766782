import { z } from "@hono/zod-openapi";

/** Scopes a key may carry: `*`, `<area>:*`, or a named scope (`inference`, `models:read`, …). */
export const Scope = z
  .string()
  .regex(/^(\*|[a-z]+(:[a-z*]+)?)$/, "must be '*', 'area:*' or a scope name")
  .openapi({ example: "inference" });

export const CreateApiKeyRequest = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(Scope).min(1).max(32).default(["inference", "models:read"]),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .openapi("CreateApiKeyRequest");
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKeyInfo = z
  .object({
    id: z.string(),
    object: z.literal("api_key"),
    name: z.string(),
    /** The first characters of the secret, for recognising a key. */
    prefix: z.string(),
    scopes: z.array(z.string()),
    created_at: z.number().int(),
    expires_at: z.number().int().nullable(),
    last_used_at: z.number().int().nullable(),
    revoked_at: z.number().int().nullable(),
  })
  .openapi("ApiKey");
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

/** A new key: the only answer that ever carries the secret. */
export const ApiKeyCreated = ApiKeyInfo.extend({ key: z.string() }).openapi("ApiKeyCreated");
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;

export const ApiKeyList = z
  .object({ object: z.literal("list"), data: z.array(ApiKeyInfo) })
  .openapi("ApiKeyList");
export type ApiKeyList = z.infer<typeof ApiKeyList>;

/** `PUT /v1/admin/provider-keys/{provider}` body: the tenant's own key for that provider. */
export const PutProviderKeyRequest = z
  .object({ api_key: z.string().min(8).max(4096) })
  .openapi("PutProviderKeyRequest");
export type PutProviderKeyRequest = z.infer<typeof PutProviderKeyRequest>;

export const ProviderKeyInfo = z
  .object({
    object: z.literal("provider_key"),
    provider: z.string(),
    /** The key's last four characters. */
    hint: z.string(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  })
  .openapi("ProviderKey");
export type ProviderKeyInfo = z.infer<typeof ProviderKeyInfo>;

export const ProviderKeyList = z
  .object({ object: z.literal("list"), data: z.array(ProviderKeyInfo) })
  .openapi("ProviderKeyList");
export type ProviderKeyList = z.infer<typeof ProviderKeyList>;

/** `GET /v1/usage` query: a time window (ISO dates or epoch milliseconds; default last 30 days). */
export const UsageQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});

export const UsageRow = z
  .object({
    /** UTC day, `YYYY-MM-DD`. */
    day: z.string(),
    model: z.string(),
    key_id: z.string().nullable(),
    requests: z.number().int(),
    errors: z.number().int(),
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    /** Null when no priced call was made. */
    cost_usd: z.number().nullable(),
  })
  .openapi("UsageRow");
export type UsageRow = z.infer<typeof UsageRow>;

export const UsageReport = z
  .object({ object: z.literal("list"), data: z.array(UsageRow) })
  .openapi("UsageReport");
export type UsageReport = z.infer<typeof UsageReport>;
