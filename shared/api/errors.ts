/**
 * Errors as typed values. Anything thrown inside a route that is an `ApiError` becomes OpenAI's
 * error envelope with its status; both servers turn errors into responses in one `onError`.
 */

/** OpenAI's error `type` values (SDKs and clients branch on them). */
export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "server_error";

/** HTTP statuses an `ApiError` may carry. */
export type ApiErrorStatus =
  | 400
  | 401
  | 403
  | 404
  | 405
  | 408
  | 409
  | 413
  | 415
  | 422
  | 426
  | 429
  | 500
  | 502
  | 503
  | 504;

/** What an upstream provider said, kept beside our error (its own vocabulary). */
export interface ProviderErrorDetail {
  /** The provider's name for the error (`overloaded_error`, `invalid_argument`, …), if any. */
  type: string | null;
  message: string;
}

/** The body every error response carries (OpenAI's shape). */
export interface ErrorEnvelope {
  error: {
    message: string;
    type: ApiErrorType;
    param: string | null;
    code: string | null;
    /** Present when a provider's answer caused the error. */
    provider_error?: ProviderErrorDetail;
  };
}

/** Options of an {@link ApiError} beyond status and message. */
export interface ApiErrorOptions {
  type?: ApiErrorType;
  /** The request field at fault, dotted (`messages.0.content`). */
  param?: string | null;
  /** A stable machine-readable code (`model_not_found`, `context_length_exceeded`, …). */
  code?: string | null;
  /** Seconds, sent as `Retry-After` (429 / 503). */
  retryAfter?: number;
  /** What the provider said, when its answer caused this error. */
  providerError?: ProviderErrorDetail;
  /** The target (`provider/model`) the request reached, sent as `x-textnlp-target`. */
  target?: string;
  cause?: unknown;
}

/** OpenAI's type for a status: 4xx are request errors but for auth and rate limits, 5xx server. */
function typeOf(status: number): ApiErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "invalid_request_error";
}

/** An error with an HTTP status and OpenAI's error fields. */
export class ApiError extends Error {
  readonly status: ApiErrorStatus;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfter: number | undefined;
  readonly providerError: ProviderErrorDetail | undefined;
  readonly target: string | undefined;

  constructor(status: ApiErrorStatus, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = status;
    this.type = options.type ?? typeOf(status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfter = options.retryAfter;
    this.providerError = options.providerError;
    this.target = options.target;
  }

  /** The JSON body of this error. */
  toEnvelope(): ErrorEnvelope {
    const error: ErrorEnvelope["error"] = {
      message: this.message,
      type: this.type,
      param: this.param,
      code: this.code,
    };
    if (this.providerError) error.provider_error = this.providerError;
    return { error };
  }

  /** Headers that go with this error (`Retry-After`, `x-textnlp-target`). */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.retryAfter !== undefined) headers["Retry-After"] = String(Math.ceil(this.retryAfter));
    if (this.target !== undefined) headers["x-textnlp-target"] = this.target;
    return headers;
  }
}

/** 400 for a request the schema accepted but that cannot be served as asked. */
export const invalidRequest = (
  message: string,
  param: string | null = null,
  code: string | null = null,
) => new ApiError(400, message, { param, code });

/** 404 for a model name that no target serves. */
export const modelNotFound = (model: string) =>
  new ApiError(404, `The model '${model}' does not exist or you do not have access to it.`, {
    param: "model",
    code: "model_not_found",
  });

/** Builds an envelope for a status and message without an `ApiError` at hand. */
export function errorEnvelope(
  status: number,
  message: string,
  code: string | null = null,
): ErrorEnvelope {
  return { error: { message, type: typeOf(status), param: null, code } };
}
