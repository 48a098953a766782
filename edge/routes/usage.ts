import type { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../../shared/api/errors.ts";
import { usageRoute } from "../../shared/api/routes.ts";
import { type EdgeEnv, settings } from "../env.ts";
import { requireScope } from "../middleware/auth/index.ts";
import { openStore } from "../store/db.ts";
import { summarizeUsage } from "../store/usage.ts";

const DAY_MS = 86_400_000;

function parseTime(value: string | undefined, fallback: number, name: string): Date {
  if (value === undefined) return new Date(fallback);
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ApiError(400, `'${name}' must be an ISO date or epoch milliseconds.`, {
      param: name,
      code: "invalid_value",
    });
  }
  return new Date(ms);
}

/** Mounts `GET /v1/usage` (`usage:read`): the caller's tenant only. */
export function mountUsageRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.use("/v1/usage", requireScope("usage:read"));
  app.openapi(usageRoute, async (c) => {
    const query = c.req.valid("query");
    const to = parseTime(query.to, now() + 1, "to");
    const from = parseTime(query.from, to.getTime() - 30 * DAY_MS, "from");
    const rows = await summarizeUsage(
      await openStore(settings(c).database),
      c.get("principal").tenantId,
      from,
      to,
    );
    return c.json(
      {
        object: "list" as const,
        data: rows.map((r) => ({
          day: r.day,
          model: r.model,
          key_id: r.keyId,
          requests: Number(r.requests),
          errors: Number(r.errors),
          prompt_tokens: Number(r.promptTokens),
          completion_tokens: Number(r.completionTokens),
          cost_usd: r.costUsd === null ? null : Number(r.costUsd),
        })),
      },
      200,
    );
  });
}
