/**
 * `GET /v1/usage` (`usage:read`), served by both halves from this one module: the caller's
 * tenant's metered calls by UTC day, requested model and key, over the last 30 days unless
 * `from` / `to` say otherwise. Each half mounts {@link usageRoutes} behind its own
 * authentication and says where its database is.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createApiApp } from "../api/app.ts";
import { ApiError } from "../api/errors.ts";
import { usageRoute } from "../api/routes.ts";
import { scopes } from "../auth/scopes.ts";
import type { AnySqliteDb } from "../db/audit.ts";
import { type IdentityEnv, requireScope } from "../identity/principal.ts";
import { summarizeUsage } from "./summary.ts";

/** The report's default span. */
export const USAGE_WINDOW_MS = 30 * 86_400_000;

/** What a half supplies. */
export interface UsageRouteDeps<E extends IdentityEnv> {
  /** The database of the request, holding every call answered so far. */
  db(c: Context<E>): AnySqliteDb | Promise<AnySqliteDb>;
  /** The clock (injected in tests). */
  now(): number;
}

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

/** The route, on an app of its own for the half to mount with `app.route("/", …)`. */
export function usageRoutes<E extends IdentityEnv>(deps: UsageRouteDeps<E>): OpenAPIHono<E> {
  const app = createApiApp<E>();
  app.use(usageRoute.path, requireScope(scopes.usageRead));
  app.openapi(usageRoute, async (c) => {
    const query = c.req.valid("query");
    const to = parseTime(query.to, deps.now() + 1, "to");
    const from = parseTime(query.from, to.getTime() - USAGE_WINDOW_MS, "from");
    const rows = await summarizeUsage(await deps.db(c), c.get("principal").tenantId, from, to);
    return c.json(
      {
        object: "list" as const,
        data: rows.map((r) => ({
          day: r.day,
          model: r.model,
          key_id: r.keyId,
          requests: r.requests,
          errors: r.errors,
          prompt_tokens: r.promptTokens,
          completion_tokens: r.completionTokens,
          cost_usd: r.costUsd,
        })),
      },
      200,
    );
  });
  return app;
}
