import { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { ApiError, errorEnvelope } from "./errors.ts";

/** Turns the first problems of a failed schema validation into one readable 400. */
export function validationError(error: ZodError, target: string): ApiError {
  const issues = error.issues.slice(0, 3);
  const first = issues[0];
  const param = first && first.path.length > 0 ? first.path.map(String).join(".") : null;
  const message = issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join(".") : target;
      return `${where}: ${issue.message}`;
    })
    .join("; ");
  return new ApiError(400, `Invalid ${target}: ${message}`, { param, code: "invalid_value" });
}

/**
 * Maps anything thrown in a handler to OpenAI's error envelope. Bad input never becomes a 5xx:
 * Hono's own 4xx (malformed JSON, body limit) keep their status.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 413)
      return new ApiError(413, "Request body is too large.", { code: "body_too_large" });
    if (status >= 400 && status < 500) {
      const message = err.message || "Bad request.";
      const code = /json/i.test(message) ? "invalid_json" : null;
      return new ApiError(status === 401 ? 401 : 400, message, { code });
    }
  }
  if (err instanceof DOMException && err.name === "TimeoutError") {
    return new ApiError(504, "The request timed out.", { code: "timeout" });
  }
  if (err instanceof SyntaxError)
    return new ApiError(400, `Malformed JSON: ${err.message}`, { code: "invalid_json" });
  return new ApiError(500, "Internal server error.", { cause: err });
}

/**
 * The OpenAPIHono that both servers build on: schema failures become 400 envelopes naming the
 * field, so each server only adds its own routes, middleware and `onError` logging.
 */
export function createApiApp<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const err = validationError(
          result.error as ZodError,
          result.target === "json" ? "request body" : result.target,
        );
        return c.json(err.toEnvelope(), 400);
      }
    },
  });
}

/** The JSON body and status for an error, as `onError` sends it. */
export function errorResponse(err: ApiError): Response {
  return new Response(JSON.stringify(err.toEnvelope()), {
    status: err.status,
    headers: { "content-type": "application/json", ...err.headers() },
  });
}

export { errorEnvelope };
