/**
 * The subjects a request is limited as: its tenant and, for an API key, the key; each with its
 * plan, its admin's override and the limits in force, and where its tenant's Durable Object
 * counts it.
 */
import type { LimitValues } from "../../../shared/api/schemas/limits.ts";
import type { LimitOverrideValues } from "../../../shared/db/schema/index.ts";
import type { EdgeSettings } from "../../env.ts";
import { openStore } from "../../store/db.ts";
import type { Principal } from "../auth/index.ts";
import { isUnlimited, planOf, type SubjectKind, tighten } from "./config.ts";
import type { CounterSlot, RateLimiter } from "./limiter.ts";
import { readOverridesCached } from "./overrides.ts";

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

/** The subjects that limit `principal`'s calls, key first (those with no limit are left out). */
export async function subjectsOf(
  config: EdgeSettings,
  principal: Principal,
  now: number,
): Promise<LimitSubject[]> {
  const { tenantId, keyId } = principal;
  const db = await openStore(config.database);
  const overrides = await readOverridesCached(db, tenantId, keyId, now);
  const tenant = limitSubject(config, tenantId, "tenant", tenantId, overrides.tenant);
  const key = keyId ? limitSubject(config, tenantId, "key", keyId, overrides.key) : null;
  // Narrowest first: the order in which reservations are taken.
  return [key, tenant].filter((s): s is LimitSubject => s !== null && !isUnlimited(s.effective));
}

/** The Durable Object that counts for a tenant and all its keys. */
export function tenantCounter(
  limiter: DurableObjectNamespace<RateLimiter>,
  tenantId: string,
): DurableObjectStub<RateLimiter> {
  return limiter.get(limiter.idFromName(`tenant:${tenantId}`));
}

/** Where `subject` is counted within its tenant's object. */
export function slotOf(subject: Pick<LimitSubject, "kind" | "id">): CounterSlot {
  return subject.kind === "tenant" ? "tenant" : `key:${subject.id}`;
}
