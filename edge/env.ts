import type { Context } from "hono";
import type { JWK } from "jose";
import { z } from "zod";
import { ApiError } from "../shared/api/errors.ts";
import { importMasterKey } from "../shared/crypto/secret-box.ts";
import type { SiteHub } from "./hub/site-hub.ts";
import type { Principal } from "./middleware/auth/auth.ts";
import type { JwtSettings } from "./middleware/auth/jwt.ts";
import type { StreamOutcome } from "./middleware/meter/index.ts";
import { providers } from "./providers/registry.ts";
import { type ProviderCredentials, type ProviderName, providerNames } from "./providers/types.ts";
import { parseRoutingPolicy, type RoutingPolicy } from "./routing/policy.ts";
import type { DatabaseConfig } from "./store/db.ts";

/** Bindings as wrangler.toml declares them; provider keys are secrets (`wrangler secret put`). */
export interface Bindings {
  DB: D1Database;
  ENVIRONMENT?: string;
  /** Largest request body accepted on /v1, in bytes (default 4 MiB). */
  BODY_LIMIT_BYTES?: string;
  /** The routing policy (aliases, retries, timeouts, circuit breaker): JSON text or an object. */
  ROUTING_POLICY?: string | Record<string, unknown>;
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
  /** HMAC secret (at least 32 bytes) for HS256 access tokens. */
  JWT_SECRET?: string;
  /** A public JWK (JSON) for RS / ES / EdDSA access tokens; wins over JWT_SECRET. */
  JWT_PUBLIC_JWK?: string;
  /** Comma-separated allow-list; default HS256 with a secret, the JWK's `alg` (or RS256) with a key. */
  JWT_ALGORITHMS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  /** Master key (32 bytes, base64) sealing tenants' own provider keys; unset: feature off. */
  PROVIDER_KEYS_SECRET?: string;
  /** A libSQL / Turso database (`libsql://…`, `https://…`) to use instead of D1. */
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  /** One Durable Object per site, holding its appliances' links (edge/hub). */
  SITE_HUB: DurableObjectNamespace<SiteHub>;
  /** How often appliances send heartbeats, in ms (default 10000); three missed: offline. */
  LINK_HEARTBEAT_MS?: string;
}

const Vars = z.object({
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
});

const BaseUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ""));

/** Parsed, typed settings of the edge; the only reader of `c.env`. */
export interface EdgeSettings {
  environment: "development" | "test" | "production";
  /** D1, or libSQL when `LIBSQL_URL` is set; open it with `openStore`. */
  database: DatabaseConfig;
  bodyLimitBytes: number;
  /** Providers with a server key; their base URL defaults to the provider's public API. */
  providers: Partial<Record<ProviderName, ProviderCredentials>>;
  /** Every provider's base URL (configured or default), for tenants' own keys. */
  baseUrls: Record<ProviderName, string>;
  /** The master key for tenants' provider keys, or null when that feature is off. */
  providerKeysMaster: Promise<CryptoKey> | null;
  policy: RoutingPolicy;
  /** Access-token checks, or null when only API keys are accepted. */
  jwt: JwtSettings | null;
}

const cache = new WeakMap<object, EdgeSettings>();

function readProviders(env: Bindings): Pick<EdgeSettings, "providers" | "baseUrls"> {
  const providersOut: EdgeSettings["providers"] = {};
  const baseUrls = {} as Record<ProviderName, string>;
  for (const name of providerNames) {
    const prefix = name.toUpperCase() as Uppercase<ProviderName>;
    const rawUrl = env[`${prefix}_BASE_URL`] ?? providers[name].defaultBaseUrl;
    const baseUrl = BaseUrl.safeParse(rawUrl);
    if (!baseUrl.success) throw new Error(`${prefix}_BASE_URL is not an http(s) URL`);
    baseUrls[name] = baseUrl.data;
    const apiKey = env[`${prefix}_API_KEY`];
    if (apiKey) providersOut[name] = { apiKey, baseUrl: baseUrl.data };
  }
  return { providers: providersOut, baseUrls };
}

function readJwt(env: Bindings): JwtSettings | null {
  const issuer = env.JWT_ISSUER ?? "textnlp";
  const audience = env.JWT_AUDIENCE ?? "textnlp-api";
  const listed = env.JWT_ALGORITHMS?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  if (env.JWT_PUBLIC_JWK) {
    const jwk = JSON.parse(env.JWT_PUBLIC_JWK) as JWK;
    if (jwk.d || jwk.k) throw new Error("JWT_PUBLIC_JWK must be a public key");
    const algorithms = listed ?? [jwk.alg ?? "RS256"];
    if (algorithms.some((a) => a.startsWith("HS") || a === "none")) {
      throw new Error("JWT_ALGORITHMS for a public key cannot include HMAC or none");
    }
    return { key: { kind: "jwk", jwk }, algorithms, issuer, audience };
  }
  if (env.JWT_SECRET) {
    const secret = new TextEncoder().encode(env.JWT_SECRET);
    if (secret.length < 32) throw new Error("JWT_SECRET must be at least 32 bytes");
    const algorithms = listed ?? ["HS256"];
    if (algorithms.some((a) => !a.startsWith("HS"))) {
      throw new Error("JWT_ALGORITHMS for a secret can only list HS256 / HS384 / HS512");
    }
    return { key: { kind: "secret", secret }, algorithms, issuer, audience };
  }
  return null;
}

/** The same promise, marked handled: a bad key fails where it is awaited, not as a stray rejection. */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
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

/** Reads and validates the bindings once per environment object. */
export function settings(c: Context<EdgeEnv>): EdgeSettings {
  const env = c.env;
  let parsed = cache.get(env);
  if (!parsed) {
    try {
      const vars = Vars.parse({
        ENVIRONMENT: env.ENVIRONMENT,
        BODY_LIMIT_BYTES: env.BODY_LIMIT_BYTES,
      });
      parsed = {
        environment: vars.ENVIRONMENT,
        database: env.LIBSQL_URL
          ? { kind: "libsql", url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN }
          : { kind: "d1", d1: env.DB },
        bodyLimitBytes: vars.BODY_LIMIT_BYTES,
        ...readProviders(env),
        providerKeysMaster: env.PROVIDER_KEYS_SECRET
          ? quietly(importMasterKey(env.PROVIDER_KEYS_SECRET))
          : null,
        policy: parseRoutingPolicy(env.ROUTING_POLICY),
        jwt: readJwt(env),
      };
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
    principal: Principal;
    /** How a streamed answer ended (set by the route, read by the meter). */
    streamEnd?: Promise<StreamOutcome>;
  };
};
