import { z } from "@hono/zod-openapi";

/** The four limits a tenant or key can have; 0 blocks, and a plan's null means no limit. */
const limitFields = {
  requests_per_minute: z.number().int().min(0),
  tokens_per_minute: z.number().int().min(0),
  /** Prompt plus completion tokens per calendar month (UTC). */
  monthly_tokens: z.number().int().min(0),
  /** USD per calendar month (UTC), for models the routing policy prices. */
  monthly_cost_usd: z.number().min(0),
};

/** The limits in force: null is no limit. */
export const LimitValues = z
  .object({
    requests_per_minute: limitFields.requests_per_minute.nullable(),
    tokens_per_minute: limitFields.tokens_per_minute.nullable(),
    monthly_tokens: limitFields.monthly_tokens.nullable(),
    monthly_cost_usd: limitFields.monthly_cost_usd.nullable(),
  })
  .openapi("LimitValues");
export type LimitValues = z.infer<typeof LimitValues>;

/** A plan: every field optional; null lifts a default (no limit). */
export const LimitPlan = LimitValues.partial().strict();
export type LimitPlan = z.infer<typeof LimitPlan>;

/** `PUT /v1/admin/limits/…` body: an admin's override, which can only tighten the plan. */
export const PutLimitsRequest = z
  .object(limitFields)
  .partial()
  .strict()
  .openapi("PutLimitsRequest");
export type PutLimitsRequest = z.infer<typeof PutLimitsRequest>;

/** A per-minute limit as it stands now. */
export const WindowUsage = z
  .object({
    limit: z.number().int(),
    remaining: z.number().int(),
    /** Seconds until the window is full again. */
    reset_seconds: z.number(),
  })
  .openapi("WindowUsage");
export type WindowUsage = z.infer<typeof WindowUsage>;

/** The current month's spend (reservations of calls in flight included). */
export const MonthUsage = z
  .object({
    /** `YYYY-MM` (UTC). */
    period: z.string(),
    tokens: z.number().int(),
    cost_usd: z.number(),
    /** Epoch milliseconds of the next month's start, when the budget starts over. */
    resets_at: z.number().int(),
  })
  .openapi("MonthUsage");
export type MonthUsage = z.infer<typeof MonthUsage>;

export const LimitsReport = z
  .object({
    object: z.literal("limits"),
    /** `tenant`, or `key` for one API key. */
    subject: z.enum(["tenant", "key"]),
    key_id: z.string().nullable(),
    /** The operator's plan (`LIMITS` configuration). */
    plan: LimitValues,
    /** The tenant admin's override, or null. */
    override: PutLimitsRequest.nullable(),
    /** What is enforced: the plan, tightened by the override. */
    effective: LimitValues,
    usage: z.object({
      requests: WindowUsage.nullable(),
      tokens: WindowUsage.nullable(),
      month: MonthUsage,
    }),
  })
  .openapi("LimitsReport");
export type LimitsReport = z.infer<typeof LimitsReport>;
