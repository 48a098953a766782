/**
 * Errors as typed values. Anything thrown inside a route that is an `ApiError` becomes OpenAI's
 * error envelope with its status; both servers turn errors into responses in one `onError`.
 */

/** OpenAI's error `type` values, plus the ones our servers add. */
export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "server_error"
  | "service_unavailable";

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

/** The body every error response carries (OpenAI's shape). */
export interface ErrorEnvelope {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
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
  cause?: unknown;
}

const defaultType: Record<number, ApiErrorType> = {
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "server_error",
  502: "server_error",
  503: "service_unavailable",
  504: "server_error",
};

/** An error with an HTTP status and OpenAI's error fields. */
export class ApiError extends Error {
  readonly status: ApiErrorStatus;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfter: number | undefined;

  constructor(status: ApiErrorStatus, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = status;
    this.type = options.type ?? defaultType[status] ?? "invalid_request_error";
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfter = options.retryAfter;
  }

  /** The JSON body of this error. */
  toEnvelope(): ErrorEnvelope {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }

  /** Headers that go with this error (`Retry-After`). */
  headers(): Record<string, string> {
    return this.retryAfter === undefined
      ? {}
      : { "Retry-After": String(Math.ceil(this.retryAfter)) };
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
  return {
    error: { message, type: defaultType[status] ?? "invalid_request_error", param: null, code },
  };
}
