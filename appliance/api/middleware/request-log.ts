import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { ApplianceEnv } from "../types.ts";

/** One JSON log line per request: id, method, path, status, latency, model and tokens. */
export function requestLog({ logger }: { logger: Logger }): MiddlewareHandler<ApplianceEnv> {
  return async function requestLogHandler(c, next) {
    const started = performance.now();
    await next();
    const write = (status: number) => {
      const usage = c.get("usage");
      logger.info(
        {
          reqId: c.get("requestId"),
          method: c.req.method,
          path: c.req.path,
          status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          model: c.get("model"),
          promptTokens: usage?.prompt_tokens,
          completionTokens: usage?.completion_tokens,
          cancelled: c.get("cancelled"),
        },
        "request",
      );
    };
    const streamDone = c.get("streamDone");
    if (streamDone) void streamDone.finally(() => write(c.res.status));
    else write(c.res.status);
  };
}
