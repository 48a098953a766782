/**
 * The subjects a request is limited as: its tenant and, for an API key, the key; each with its
 * plan, its admin's override and the limits in force, and the Durable Object counting for it.
 */
import type { LimitValues } from "../../shared/api/schemas/limits.ts";
import type { LimitOverrideValues } from "../../shared/db/schema/index.ts";
import type { EdgeSettings } from "../env.ts";
import type { Principal } from "../middleware/auth/index.ts";
import { openStore } from "../store/db.ts";
import { isUnlimited, planOf, type SubjectKind, tighten } from "./config.ts";
import type { RateLimiter } from "./limiter.ts";
import { readOverrides } from "./overrides.ts";

/** One tenant or key with its limits. */
export interface LimitSubject {
  kind: SubjectKind;
  /** The tenant's or the key's id. */
  id: string;
  plan: LimitValues;
  override: LimitOverrideValues | null;
  effective: LimitValues;
}

/** A subject from its plan and override. */
export function limitSubject(
  config: EdgeSettings,
  tenantId: string,
  kind: SubjectKind,
  id: string,
  override: LimitOverrideValues | null,
): LimitSubject {
  const plan = planOf(config.limits, tenantId, kind);
  return { kind, id, plan, override, effective: tighten(plan, override) };
}

/** The subjects that limit `principal`'s calls (those with no limit at all are left out). */
export async function subjectsOf(
  config: EdgeSettings,
  principal: Principal,
): Promise<LimitSubject[]> {
  const { tenantId, keyId } = principal;
  const overrides = await readOverrides(await openStore(config.database), tenantId, keyId);
  const subjects = [limitSubject(config, tenantId, "tenant", tenantId, overrides.tenant)];
  if (keyId) subjects.push(limitSubject(config, tenantId, "key", keyId, overrides.key));
  return subjects.filter((s) => !isUnlimited(s.effective));
}

/** The Durable Object that counts for `subject` (one per tenant, one per key). */
export function counterOf(
  limiter: DurableObjectNamespace<RateLimiter>,
  subject: Pick<LimitSubject, "kind" | "id">,
): DurableObjectStub<RateLimiter> {
  return limiter.get(limiter.idFromName(`${subject.kind}:${subject.id}`));
}
