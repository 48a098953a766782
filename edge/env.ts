import type { Context } from "hono";
import type { JWK } from "jose";
import { z } from "zod";
import { ApiError } from "../shared/api/errors.ts";
import { importMasterKey } from "../shared/crypto/secret-box.ts";
import { roles } from "../shared/db/schema/users.ts";
import type { Principal } from "../shared/identity/principal.ts";
import type { SiteHub } from "./hub/site-hub.ts";
import type { CallRecord } from "./inference/call-record.ts";
import type { Inference } from "./inference/request.ts";
import type { JobBatchMessage } from "./jobs/consumer.ts";
import type { JobMonitor } from "./jobs/monitor.ts";
import type { JobSlots } from "./jobs/slots.ts";
import type { JwtSettings } from "./middleware/auth/jwt.ts";
import type { OidcSettings } from "./middleware/auth/oidc.ts";
import { type CacheTtls, KV_MIN_TTL_SECONDS } from "./middleware/cache/directive.ts";
import { type GuardrailConfig, parseGuardrails } from "./middleware/guardrails/policy.ts";
import { type LimitsConfig, parseLimitsConfig } from "./middleware/rate-limit/config.ts";
import type { RateLimiter } from "./middleware/rate-limit/limiter.ts";
import { type RequestLogLevel, requestLogLevels } from "./middleware/request-log/level.ts";
import { type Catalogue, readCatalogue } from "./providers/catalogue.ts";
import { providers } from "./providers/registry.ts";
import { type ProviderCredentials, type ProviderName, providerNames } from "./providers/types.ts";
import { parseRoutingPolicy, type RoutingPolicy } from "./routing/policy.ts";
import { withCataloguePrices } from "./routing/price.ts";
import type { DatabaseConfig } from "./store/db.ts";
import type { RequestTrace } from "./tracing/request-trace.ts";

/** Bindings as wrangler.toml declares them; provider keys are secrets (`wrangler secret put`). */
export interface Bindings {
  DB: D1Database;
  ENVIRONMENT?: string;
  /** Largest request body accepted on /v1, in bytes (default 4 MiB). */
  BODY_LIMIT_BYTES?: string;
  /** Largest seed-row upload (`POST /v1/seed-rows`), in bytes (default 64 MiB). */
  SEED_UPLOAD_LIMIT_BYTES?: string;
  /** The routing policy (aliases, retries, timeouts, circuit breaker): JSON text or an object. */
  ROUTING_POLICY?: string | Record<string, unknown>;
  /**
   * The operator's model catalogue (JSON text or an object; edge/providers/catalogue.ts):
   * capabilities, context windows and prices over the built-in example data.
   */
  MODEL_CATALOGUE?: string | Record<string, unknown>;
  /** `true`: a tenant with a USD budget may call models nothing prices (they cost 0). */
  ALLOW_UNPRICED_MODELS?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  COHERE_API_KEY?: string;
  COHERE_BASE_URL?: string;
  MISTRAL_API_KEY?: string;
  MISTRAL_BASE_URL?: string;
  GEMINI_API_KEY?: string;
  GEMINI_BASE_URL?: string;
  /** Azure OpenAI: the key and the resource's endpoint (`https://<resource>.openai.azure.com`). */
  AZURE_API_KEY?: string;
  AZURE_BASE_URL?: string;
  /** AI21 Studio (Jamba); the base URL defaults to `https://api.ai21.com/studio`. */
  AI21_API_KEY?: string;
  AI21_BASE_URL?: string;
  /**
   * Vertex AI: a service account's key file (its JSON) and, optionally, where to call (default
   * `https://aiplatform.googleapis.com`, location us-central1: see edge/providers/vertex).
   */
  VERTEX_API_KEY?: string;
  VERTEX_BASE_URL?: string;
  /**
   * Amazon Bedrock: `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]` (SigV4) or a Bedrock API
   * key; the runtime endpoint (default us-east-1's; `?region=` for a host that names none).
   */
  BEDROCK_API_KEY?: string;
  BEDROCK_BASE_URL?: string;
  /** OpenAI-compatible presets (edge/providers/presets.ts): a key turns one on. */
  GROQ_API_KEY?: string;
  GROQ_BASE_URL?: string;
  TOGETHER_API_KEY?: string;
  TOGETHER_BASE_URL?: string;
  FIREWORKS_API_KEY?: string;
  FIREWORKS_BASE_URL?: string;
  DEEPSEEK_API_KEY?: string;
  DEEPSEEK_BASE_URL?: string;
  OPENROUTER_API_KEY?: string;
  OPENROUTER_BASE_URL?: string;
  /** HMAC secret (at least 32 bytes) for HS256 access tokens. */
  JWT_SECRET?: string;
  /** A public JWK (JSON) for RS / ES / EdDSA access tokens; wins over JWT_SECRET. */
  JWT_PUBLIC_JWK?: string;
  /** Comma-separated allow-list; default HS256 with a secret, the JWK's `alg` (or RS256) with a key. */
  JWT_ALGORITHMS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  /** A private JWK (JSON) that signs issued access tokens (RS / ES / EdDSA); its public half verifies. */
  JWT_PRIVATE_JWK?: string;
  /** Lifetime of issued access tokens in seconds (default 900). */
  ACCESS_TOKEN_TTL_SECONDS?: string;
  /** Lifetime of refresh tokens in seconds (default 30 days). */
  REFRESH_TOKEN_TTL_SECONDS?: string;
  /** An external OpenID Connect identity provider: its issuer (`iss`); unset: feature off. */
  OIDC_ISSUER?: string;
  /** The provider's JWKS URL (its discovery document's `jwks_uri`). */
  OIDC_JWKS_URL?: string;
  /** The audience its tokens must carry (default JWT_AUDIENCE's value). */
  OIDC_AUDIENCE?: string;
  /** Comma-separated allow-list (default RS256,ES256). */
  OIDC_ALGORITHMS?: string;
  /** Claim naming the tenant (default `tenant`) and the role (default `role`). */
  OIDC_TENANT_CLAIM?: string;
  OIDC_ROLE_CLAIM?: string;
  /** JSON object mapping IdP role / group values to admin, developer or viewer. */
  OIDC_ROLE_MAP?: string;
  /** Role for tokens whose role claim maps to none (default: such tokens are refused). */
  OIDC_DEFAULT_ROLE?: string;
  /** Master key (32 bytes, base64) sealing tenants' own provider keys; unset: feature off. */
  PROVIDER_KEYS_SECRET?: string;
  /** Rate limits and budgets (JSON): see README "Limits and budgets"; unset: none. */
  LIMITS?: string | Record<string, unknown>;
  /** The Durable Object namespace holding the limit counters (one object per tenant / key). */
  LIMITER?: DurableObjectNamespace<RateLimiter>;
  /** A libSQL / Turso database (`libsql://…`, `https://…`) to use instead of D1. */
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  /** The guardrail policy (PII, prompt injection; per-tenant overrides): JSON text or an object. */
  GUARDRAILS?: string | Record<string, unknown>;
  /** Workers KV namespace of the response cache; unbound: no caching. */
  RESPONSE_CACHE?: KVNamespace;
  /** Seconds a cached answer lives when the request names no TTL (default 3600). */
  CACHE_DEFAULT_TTL_SECONDS?: string;
  /** The longest TTL a request may ask for (default 86400); longer asks are cut to it. */
  CACHE_MAX_TTL_SECONDS?: string;
  /** One Durable Object per site, holding its appliances' links (edge/hub). */
  SITE_HUB: DurableObjectNamespace<SiteHub>;
  /** How often appliances send heartbeats, in ms (default 10000); three missed: offline. */
  LINK_HEARTBEAT_MS?: string;
  /** The jobs queue (edge/jobs): batches of a job's sample keys for the consumer to generate. */
  JOBS_QUEUE?: Queue<JobBatchMessage>;
  /** Sample keys per queue message (default 10): a batch is generated by one consumer call. */
  JOB_BATCH_SIZE?: string;
  /** One reconcile monitor per running job (edge/jobs/monitor.ts); without it, nothing re-enqueues lost batches. */
  JOB_MONITOR?: DurableObjectNamespace<JobMonitor>;
  /** Finished datasets' exports, written once and served from here (edge/jobs/exports.ts); without it, each export streams from D1. */
  DATASETS?: R2Bucket;
  /** Seconds a running job may go without a key written before its missing keys are re-enqueued (default 600). */
  JOB_RECONCILE_SECONDS?: string;
  /** One slot table per tenant (edge/jobs/slots.ts); without it, only each batch's own concurrency bounds a tenant's jobs. */
  JOB_SLOTS?: DurableObjectNamespace<JobSlots>;
  /** Job samples generated at once across all of one tenant's jobs (default 8). */
  JOB_TENANT_CONCURRENCY?: string;
  /** Seconds a batch waits for a free slot before it is put back on the queue for later (default 30). */
  JOB_SLOT_WAIT_SECONDS?: string;
  /** The request log (edge/middleware/request-log): `all` (default), `errors` (status >= 400) or `off`. */
  REQUEST_LOG?: string;
  /** OTLP/HTTP base URL for traces (edge/tracing; spans go to `/v1/traces` under it); unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** Milliseconds an isolate gathers requests' spans before one export (default 1000; 0: at once). */
  OTEL_BSP_SCHEDULE_DELAY?: string;
}

const Vars = z.object({
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  SEED_UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  JOB_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  JOB_RECONCILE_SECONDS: z.coerce.number().min(0.1).default(600),
  JOB_TENANT_CONCURRENCY: z.coerce.number().int().min(1).default(8),
  JOB_SLOT_WAIT_SECONDS: z.coerce.number().min(0.1).max(600).default(30),
  CACHE_DEFAULT_TTL_SECONDS: z.coerce.number().int().min(KV_MIN_TTL_SECONDS).default(3600),
  CACHE_MAX_TTL_SECONDS: z.coerce.number().int().min(KV_MIN_TTL_SECONDS).default(86_400),
  REQUEST_LOG: z.enum(requestLogLevels).default("all"),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(0).max(30_000).default(1000),
});

const BaseUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ""));

/** Parsed, typed settings of the edge; the only reader of `c.env`. */
export interface EdgeSettings {
  environment: "development" | "test" | "production";
  /** D1, or libSQL when `LIBSQL_URL` is set; open it with `openStore`. */
  database: DatabaseConfig;
  bodyLimitBytes: number;
  /** The largest seed-row upload, which streams past the general body limit. */
  seedUploadLimitBytes: number;
  /** Sample keys per jobs-queue message. */
  jobBatchSize: number;
  /** How long a running job may write no key before the monitor re-enqueues what is missing. */
  jobReconcileMs: number;
  /** Job samples in flight at once across one tenant's jobs (with `JOB_SLOTS`). */
  jobTenantConcurrency: number;
  /** How long a batch waits for a tenant slot before it is put back on the queue. */
  jobSlotWaitMs: number;
  /** Providers with a server key; their base URL defaults to the provider's public API. */
  providers: Partial<Record<ProviderName, ProviderCredentials>>;
  /** Every provider's base URL (configured or default), for tenants' own keys. */
  baseUrls: Record<ProviderName, string>;
  /** The master key for tenants' provider keys, or null when that feature is off. */
  providerKeysMaster: Promise<CryptoKey> | null;
  /** The routing policy, its alias targets priced from the catalogue where they name no price. */
  policy: RoutingPolicy;
  catalogue: Catalogue;
  /** Whether a tenant with a USD budget may call unpriced models. */
  allowUnpricedModels: boolean;
  /** Access-token checks (and signing), or null when only API keys are accepted. */
  jwt: JwtSettings | null;
  /** The operator's rate limits and budgets. */
  limits: LimitsConfig;
  /** Where the limit counters live; null only when no limit is configured. */
  limiter: DurableObjectNamespace<RateLimiter> | null;
  guardrails: GuardrailConfig;
  /** The response cache, or null when no KV namespace is bound. */
  cache: (CacheTtls & { kv: KVNamespace }) | null;
  /** The external identity provider, or null when none is configured. */
  oidc: OidcSettings | null;
  /** Which requests get a request log line. */
  requestLog: RequestLogLevel;
  /** Where and how traces are exported, or null when tracing is off. */
  otlp: OtlpSettings | null;
}

const cache = new WeakMap<object, EdgeSettings>();

function readProviders(env: Bindings): Pick<EdgeSettings, "providers" | "baseUrls"> {
  const providersOut: EdgeSettings["providers"] = {};
  const baseUrls = {} as Record<ProviderName, string>;
  for (const name of providerNames) {
    const prefix = name.toUpperCase() as Uppercase<ProviderName>;
    const rawUrl = env[`${prefix}_BASE_URL`] ?? providers[name].defaultBaseUrl;
    const apiKey = env[`${prefix}_API_KEY`];
    // A provider without a public URL (Azure) needs its own, but only once it is used.
    if (!rawUrl) {
      if (apiKey) throw new Error(`${prefix}_API_KEY is set but ${prefix}_BASE_URL is not`);
      baseUrls[name] = "";
      continue;
    }
    const baseUrl = BaseUrl.safeParse(rawUrl);
    if (!baseUrl.success) throw new Error(`${prefix}_BASE_URL is not an http(s) URL`);
    baseUrls[name] = baseUrl.data;
    if (apiKey) providersOut[name] = { apiKey, baseUrl: baseUrl.data };
  }
  return { providers: providersOut, baseUrls };
}

const Seconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const TokenTtls = z.object({
  ACCESS_TOKEN_TTL_SECONDS: Seconds(900),
  REFRESH_TOKEN_TTL_SECONDS: Seconds(30 * 86_400),
});

const PRIVATE_JWK_FIELDS = ["d", "p", "q", "dp", "dq", "qi", "k"] as const;

const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);

function readJwt(env: Bindings): JwtSettings | null {
  const issuer = env.JWT_ISSUER ?? "textnlp";
  const audience = env.JWT_AUDIENCE ?? "textnlp-api";
  const ttls = TokenTtls.parse(env);
  const common = {
    issuer,
    audience,
    accessTtlSeconds: ttls.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: ttls.REFRESH_TOKEN_TTL_SECONDS,
  };
  const listed = list(env.JWT_ALGORITHMS);
  const privateJwk = env.JWT_PRIVATE_JWK ? (JSON.parse(env.JWT_PRIVATE_JWK) as JWK) : null;
  if (privateJwk && !privateJwk.d) throw new Error("JWT_PRIVATE_JWK must be a private key");
  // The private key's public half verifies, unless a public key is configured separately.
  const publicJwk = env.JWT_PUBLIC_JWK
    ? (JSON.parse(env.JWT_PUBLIC_JWK) as JWK)
    : privateJwk &&
      (Object.fromEntries(
        Object.entries(privateJwk).filter(
          ([k]) => !(PRIVATE_JWK_FIELDS as readonly string[]).includes(k),
        ),
      ) as JWK);
  if (publicJwk) {
    if (publicJwk.d || publicJwk.k) throw new Error("JWT_PUBLIC_JWK must be a public key");
    const algorithms = listed ?? [publicJwk.alg ?? "RS256"];
    if (algorithms.some((a) => a.startsWith("HS") || a === "none")) {
      throw new Error("JWT_ALGORITHMS for a public key cannot include HMAC or none");
    }
    const signing = privateJwk
      ? { alg: privateJwk.alg ?? algorithms[0] ?? "RS256", key: privateJwk }
      : null;
    return { key: { kind: "jwk", jwk: publicJwk }, algorithms, signing, ...common };
  }
  if (env.JWT_SECRET) {
    const secret = new TextEncoder().encode(env.JWT_SECRET);
    if (secret.length < 32) throw new Error("JWT_SECRET must be at least 32 bytes");
    const algorithms = listed ?? ["HS256"];
    if (algorithms.some((a) => !a.startsWith("HS"))) {
      throw new Error("JWT_ALGORITHMS for a secret can only list HS256 / HS384 / HS512");
    }
    const signing = { alg: algorithms[0] ?? "HS256", key: secret };
    return { key: { kind: "secret", secret }, algorithms, signing, ...common };
  }
  return null;
}

const Role = z.enum(roles);
const Oidc = z.object({
  OIDC_ISSUER: z.string().min(1),
  OIDC_JWKS_URL: z.url({ protocol: /^https?$/ }),
  OIDC_AUDIENCE: z.string().min(1),
  OIDC_ALGORITHMS: z
    .array(z.string().regex(/^(RS|PS|ES)(256|384|512)$|^EdDSA$/, "only asymmetric algorithms"))
    .min(1)
    .default(["RS256", "ES256"]),
  OIDC_TENANT_CLAIM: z.string().min(1).default("tenant"),
  OIDC_ROLE_CLAIM: z.string().min(1).default("role"),
  OIDC_ROLE_MAP: z.record(z.string(), Role).default({}),
  OIDC_DEFAULT_ROLE: Role.nullable().default(null),
});

function readOidc(env: Bindings): OidcSettings | null {
  if (!env.OIDC_ISSUER) return null;
  const o = Oidc.parse({
    OIDC_ISSUER: env.OIDC_ISSUER,
    OIDC_JWKS_URL: env.OIDC_JWKS_URL,
    OIDC_AUDIENCE: env.OIDC_AUDIENCE ?? env.JWT_AUDIENCE ?? "textnlp-api",
    OIDC_ALGORITHMS: list(env.OIDC_ALGORITHMS),
    OIDC_TENANT_CLAIM: env.OIDC_TENANT_CLAIM,
    OIDC_ROLE_CLAIM: env.OIDC_ROLE_CLAIM,
    OIDC_ROLE_MAP: env.OIDC_ROLE_MAP ? JSON.parse(env.OIDC_ROLE_MAP) : undefined,
    OIDC_DEFAULT_ROLE: env.OIDC_DEFAULT_ROLE,
  });
  return {
    issuer: o.OIDC_ISSUER,
    jwksUrl: o.OIDC_JWKS_URL,
    audience: o.OIDC_AUDIENCE,
    algorithms: o.OIDC_ALGORITHMS,
    tenantClaim: o.OIDC_TENANT_CLAIM,
    roleClaim: o.OIDC_ROLE_CLAIM,
    roleMap: o.OIDC_ROLE_MAP,
    defaultRole: o.OIDC_DEFAULT_ROLE,
  };
}

/** The same promise, marked handled: a bad key fails where it is awaited, not as a stray rejection. */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** True when the configuration limits anything (overrides can only tighten a set limit). */
function hasAnyLimit(config: LimitsConfig): boolean {
  const plans = [
    config.tenant,
    config.key,
    ...Object.values(config.tenants).flatMap((p) => [p.tenant ?? {}, p.key ?? {}]),
  ];
  return plans.some((plan) => Object.values(plan).some((v) => v !== null && v !== undefined));
}

/**
 * Whether the rate limiter takes its callers' clock (tests, so windows need no waiting) instead
 * of its own: only when `ENVIRONMENT` is `test`.
 */
export function limiterAcceptsCallerClock(env: Bindings): boolean {
  return env.ENVIRONMENT === "test";
}

/** Settings of the hybrid link (edge/hub), read from the bindings. */
export interface LinkSettings {
  heartbeatMs: number;
}

const LinkVars = z.object({
  LINK_HEARTBEAT_MS: z.coerce.number().int().min(50).max(600_000).default(10_000),
});

/** Reads the hybrid link's settings. */
export function linkSettings(c: Context<EdgeEnv>): LinkSettings {
  const parsed = LinkVars.safeParse({ LINK_HEARTBEAT_MS: c.env.LINK_HEARTBEAT_MS });
  if (!parsed.success) throw new ApiError(500, "LINK_HEARTBEAT_MS is not a valid interval.");
  const vars = parsed.data;
  return { heartbeatMs: vars.LINK_HEARTBEAT_MS };
}

/** The site hubs' namespace (edge/hub), from the request's bindings. */
export function siteHubs(c: Context<EdgeEnv>): DurableObjectNamespace<SiteHub> {
  return c.env.SITE_HUB;
}

function readPricing(env: Bindings) {
  const catalogue = readCatalogue(env.MODEL_CATALOGUE);
  return {
    catalogue,
    policy: withCataloguePrices(parseRoutingPolicy(env.ROUTING_POLICY), catalogue),
    allowUnpricedModels:
      z
        .enum(["true", "false"])
        .default("false")
        .parse(env.ALLOW_UNPRICED_MODELS || undefined) === "true",
  };
}

/** Where traces go (edge/tracing). */
export interface OtlpSettings {
  /** The OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  endpoint: string;
  /** How long an isolate gathers spans before one export (`OTEL_BSP_SCHEDULE_DELAY`). */
  exportDelayMs: number;
}

function readOtlp(env: Bindings, exportDelayMs: number): OtlpSettings | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  const url = BaseUrl.safeParse(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (!url.success) throw new Error("OTEL_EXPORTER_OTLP_ENDPOINT is not an http(s) URL");
  return { endpoint: url.data, exportDelayMs };
}

/** Reads and validates the bindings once per environment object. */
export function settings(c: Context<EdgeEnv>): EdgeSettings {
  return settingsOf(c.env);
}

/** {@link settings} outside a request (a queue consumer's environment). */
export function settingsOf(env: Bindings): EdgeSettings {
  let parsed = cache.get(env);
  if (!parsed) {
    try {
      const vars = Vars.parse({
        ENVIRONMENT: env.ENVIRONMENT,
        BODY_LIMIT_BYTES: env.BODY_LIMIT_BYTES,
        SEED_UPLOAD_LIMIT_BYTES: env.SEED_UPLOAD_LIMIT_BYTES,
        JOB_BATCH_SIZE: env.JOB_BATCH_SIZE,
        JOB_RECONCILE_SECONDS: env.JOB_RECONCILE_SECONDS,
        JOB_TENANT_CONCURRENCY: env.JOB_TENANT_CONCURRENCY,
        JOB_SLOT_WAIT_SECONDS: env.JOB_SLOT_WAIT_SECONDS,
        CACHE_DEFAULT_TTL_SECONDS: env.CACHE_DEFAULT_TTL_SECONDS,
        CACHE_MAX_TTL_SECONDS: env.CACHE_MAX_TTL_SECONDS,
        REQUEST_LOG: env.REQUEST_LOG || undefined,
        OTEL_BSP_SCHEDULE_DELAY: env.OTEL_BSP_SCHEDULE_DELAY || undefined,
      });
      parsed = {
        environment: vars.ENVIRONMENT,
        database: env.LIBSQL_URL
          ? { kind: "libsql", url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN }
          : { kind: "d1", d1: env.DB },
        bodyLimitBytes: vars.BODY_LIMIT_BYTES,
        seedUploadLimitBytes: vars.SEED_UPLOAD_LIMIT_BYTES,
        jobBatchSize: vars.JOB_BATCH_SIZE,
        jobReconcileMs: vars.JOB_RECONCILE_SECONDS * 1000,
        jobTenantConcurrency: vars.JOB_TENANT_CONCURRENCY,
        jobSlotWaitMs: vars.JOB_SLOT_WAIT_SECONDS * 1000,
        ...readProviders(env),
        providerKeysMaster: env.PROVIDER_KEYS_SECRET
          ? quietly(importMasterKey(env.PROVIDER_KEYS_SECRET))
          : null,
        ...readPricing(env),
        jwt: readJwt(env),
        limits: parseLimitsConfig(env.LIMITS),
        limiter: env.LIMITER ?? null,
        guardrails: parseGuardrails(env.GUARDRAILS),
        cache: env.RESPONSE_CACHE
          ? {
              kv: env.RESPONSE_CACHE,
              // A default above the maximum is cut to it, as a request's TTL would be.
              defaultTtlSeconds: Math.min(
                vars.CACHE_DEFAULT_TTL_SECONDS,
                vars.CACHE_MAX_TTL_SECONDS,
              ),
              maxTtlSeconds: vars.CACHE_MAX_TTL_SECONDS,
            }
          : null,
        oidc: readOidc(env),
        requestLog: vars.REQUEST_LOG,
        otlp: readOtlp(env, vars.OTEL_BSP_SCHEDULE_DELAY),
      };
      if (!parsed.limiter && hasAnyLimit(parsed.limits)) {
        throw new Error("LIMITS is set but the LIMITER Durable Object binding is missing");
      }
    } catch (err) {
      throw new ApiError(500, "The gateway is misconfigured.", { cause: err });
    }
    cache.set(env, parsed);
  }
  return parsed;
}

/** Hono environment of the edge app. */
export type EdgeEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    /** The request's W3C trace id: its valid `traceparent`'s, else a fresh one (request log). */
    traceId: string;
    principal: Principal;
    /** The inference routes' call record (edge/pipeline opens it first). */
    call: CallRecord;
    /** The inference routes' request, read once (edge/pipeline), redacted by the guardrails. */
    inference: Inference;
    /** The request's spans (edge/tracing), only when an OTLP endpoint is configured. */
    trace: RequestTrace | undefined;
  };
};
