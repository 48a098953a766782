/**
 * What can go wrong upstream, as typed values: the gateway decides retry and fallback from an
 * {@link UpstreamError}, and turns the last one into the client's `ApiError`.
 */
import { ApiError, type ApiErrorStatus } from "../../shared/api/errors.ts";
import type { ProviderConfig } from "./types.ts";

/** What a provider's error body says: its message, and its code or type when it has one. */
export interface ProviderError {
  message: string;
  code?: string | null;
}

/** The longest stretch of a non-JSON error body kept in our message. */
const MAX_TEXT_BODY = 500;

/**
 * The provider's message for an error answer's body text: read by the provider's own parser
 * when it is JSON, kept as words (trimmed, cut short) when it is not, so the caller always
 * learns what the provider said.
 */
export function providerErrorOf(
  provider: ProviderConfig,
  text: string,
  status: number,
  headers?: Headers,
): ProviderError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    const words = text.replace(/\s+/g, " ").trim().slice(0, MAX_TEXT_BODY);
    return { message: words || `HTTP ${status}` };
  }
  return provider.errorMessage(body, headers);
}

/** Why an upstream attempt failed. */
export type UpstreamFailure = "status" | "timeout" | "network" | "stream" | "circuit_open";

/** A failed upstream attempt. */
export class UpstreamError extends Error {
  readonly provider: string;
  readonly failure: UpstreamFailure;
  /** The provider's HTTP status (0 when there was none). */
  readonly status: number;
  /** Seconds from the provider's `Retry-After`, when it sent one. */
  readonly retryAfter: number | undefined;
  readonly code: string | null;

  constructor(
    provider: string,
    failure: UpstreamFailure,
    message: string,
    options: { status?: number; retryAfter?: number; code?: string | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "UpstreamError";
    this.provider = provider;
    this.failure = failure;
    this.status = options.status ?? 0;
    this.retryAfter = options.retryAfter;
    this.code = options.code ?? null;
  }
}

/** 400 for something a provider cannot do, naming both. */
export function capabilityError(provider: string, capability: string): ApiError {
  return new ApiError(400, `Provider '${provider}' does not support ${capability}.`, {
    code: "unsupported_capability",
    param: "model",
  });
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Our codes for the statuses a provider's answer passes through with. */
const passThroughCode: Record<number, string> = {
  400: "upstream_invalid_request",
  404: "model_not_found",
  413: "upstream_request_too_large",
  429: "rate_limit_exceeded",
  503: "upstream_overloaded",
};

/** Providers with error codes of their own (OpenAI's and our appliances' codes are OpenAI's). */
const ownVocabulary = new Set([
  "anthropic",
  "azure",
  "bedrock",
  "cohere",
  "gemini",
  "mistral",
  "vertex",
]);

/**
 * The client's view of the last upstream failure: the provider's 4xx pass through (their key
 * problems become 502, since the client's key was fine), overload stays 429 / 503, everything
 * else is a 502 or, for timeouts, a 504. Whatever the provider said itself (its error type
 * and message) is kept as the envelope's `provider_error`.
 */
export function toClientError(err: UpstreamError, target?: string): ApiError {
  const error = clientError(err);
  return target === undefined
    ? error
    : new ApiError(error.status, error.message, {
        type: error.type,
        param: error.param,
        code: error.code,
        retryAfter: error.retryAfter,
        providerError: error.providerError,
        target,
        cause: err,
      });
}

/** {@link toClientError} without the target. */
function clientError(err: UpstreamError): ApiError {
  const message = `${err.provider}: ${err.message}`;
  const code = err.code ?? `upstream_${err.failure}`;
  if (err.failure === "timeout") return new ApiError(504, message, { code: "upstream_timeout" });
  if (err.failure === "circuit_open") {
    return new ApiError(503, message, { code: "circuit_open", retryAfter: err.retryAfter });
  }
  // What the provider itself said (its own type and words), for answers and in-band errors.
  const providerError = { type: err.code, message: err.message };
  if (err.failure === "stream") return new ApiError(502, message, { code, providerError });
  if (err.failure !== "status") return new ApiError(502, message, { code });
  const passThrough: Record<number, ApiErrorStatus> = {
    400: 400,
    404: 404,
    413: 413,
    422: 400,
    429: 429,
    503: 503,
    529: 503,
  };
  const status = passThrough[err.status] ?? 502;
  if (err.status === 401 || err.status === 403) {
    // The gateway's provider key was refused: the client's own key is not at fault.
    return new ApiError(502, message, { code: "upstream_auth_failed", providerError });
  }
  // `code` stays in OpenAI's vocabulary: a provider's own names are in `provider_error`.
  const ours = ownVocabulary.has(err.provider) || !err.code ? passThroughCode[status] : err.code;
  return new ApiError(status, message, {
    code: status === 502 ? "upstream_error" : (ours ?? code),
    retryAfter: status === 429 || status === 503 ? err.retryAfter : undefined,
    providerError,
  });
}
