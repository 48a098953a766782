/**
 * Where limits come from: the operator's plan (the `LIMITS` configuration: defaults for every
 * tenant and every key, and plans for named tenants), tightened by a tenant admin's overrides
 * (stored in D1, set through the admin API). A tenant admin can lower its own limits but never
 * raise them above the plan: raising is the operator's, through configuration.
 */
import { z } from "zod";
import { LimitPlan, type LimitValues } from "../../../shared/api/schemas/limits.ts";
import type { LimitOverrideValues } from "../../../shared/db/schema/limit-overrides.ts";

const SubjectPlans = z
  .object({
    /** The tenant as a whole (all its keys and tokens together). */
    tenant: LimitPlan.default({}),
    /** Each API key on its own. */
    key: LimitPlan.default({}),
  })
  .strict();

/** The parsed `LIMITS` configuration. */
export const LimitsConfig = SubjectPlans.extend({
  /** Plans of named tenants, field by field over the defaults (null lifts a default). */
  tenants: z.record(z.string(), SubjectPlans.partial()).default({}),
}).strict();
export type LimitsConfig = z.infer<typeof LimitsConfig>;

/** Who a limit applies to. */
export type SubjectKind = "tenant" | "key";

export const limitNames = [
  "requests_per_minute",
  "tokens_per_minute",
  "monthly_tokens",
  "monthly_cost_usd",
] as const;

/** Parses `LIMITS` (JSON text or an object; unset: no limits), throwing a readable error. */
export function parseLimitsConfig(raw: unknown): LimitsConfig {
  const value = typeof raw === "string" && raw.trim() !== "" ? JSON.parse(raw) : (raw ?? {});
  const parsed = LimitsConfig.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`LIMITS ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** The plan of `kind` for `tenantId`: its named plan over the defaults. */
export function planOf(config: LimitsConfig, tenantId: string, kind: SubjectKind): LimitValues {
  const named = Object.hasOwn(config.tenants, tenantId) ? config.tenants[tenantId]?.[kind] : {};
  const merged = { ...config[kind], ...named };
  return {
    requests_per_minute: merged.requests_per_minute ?? null,
    tokens_per_minute: merged.tokens_per_minute ?? null,
    monthly_tokens: merged.monthly_tokens ?? null,
    monthly_cost_usd: merged.monthly_cost_usd ?? null,
  };
}

/** The plan with an override applied: each field the lower of the two. */
export function tighten(plan: LimitValues, override: LimitOverrideValues | null): LimitValues {
  const out = { ...plan };
  for (const name of limitNames) {
    const wanted = override?.[name];
    if (wanted !== undefined) out[name] = Math.min(wanted, plan[name] ?? wanted);
  }
  return out;
}

/** The first field `override` would raise above `plan`, or null when it only tightens. */
export function loosenedField(plan: LimitValues, override: LimitOverrideValues): string | null {
  for (const name of limitNames) {
    const wanted = override[name];
    const allowed = plan[name];
    if (wanted !== undefined && allowed !== null && wanted > allowed) return name;
  }
  return null;
}

/** True when no field limits anything. */
export const isUnlimited = (values: LimitValues) => limitNames.every((n) => values[n] === null);
