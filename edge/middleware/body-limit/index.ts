/**
 * Refuses request bodies over the configured size with a 413 envelope, before anything reads
 * them (Hono's body limit, which also counts chunked bodies as they stream in).
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../../shared/api/errors.ts";
import { type EdgeEnv, settings } from "../../env.ts";

/** The body-size middleware; the limit comes from `BODY_LIMIT_BYTES`. */
export function limitBodySize(): MiddlewareHandler<EdgeEnv> {
  const limiters = new Map<number, MiddlewareHandler>();
  return async function limitBodySizeHandler(c, next) {
    const maxSize = settings(c).bodyLimitBytes;
    let limiter = limiters.get(maxSize);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize,
        onError: () => {
          throw new ApiError(413, `Request body is larger than ${maxSize} bytes.`, {
            code: "body_too_large",
          });
        },
      });
      limiters.set(maxSize, limiter);
    }
    return limiter(c, next);
  };
}
