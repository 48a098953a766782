import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../../../shared/api/errors.ts";
import {
  deleteKeyLimitsRoute,
  deleteTenantLimitsRoute,
  getKeyLimitsRoute,
  getTenantLimitsRoute,
  putKeyLimitsRoute,
  putTenantLimitsRoute,
} from "../../../shared/api/limit-routes.ts";
import type { LimitsReport, PutLimitsRequest } from "../../../shared/api/schemas/limits.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { requireScope } from "../../middleware/auth/index.ts";
import { loosenedField, type SubjectKind } from "../../middleware/rate-limit/config.ts";
import {
  deleteOverride,
  forgetOverrides,
  isTenantKey,
  putOverride,
  readOverrides,
  TENANT_SUBJECT,
} from "../../middleware/rate-limit/overrides.ts";
import { limitSubject, slotOf, tenantCounter } from "../../middleware/rate-limit/subjects.ts";
import { openStore } from "../../store/db.ts";
import { recordAdminAction } from "./record.ts";

/** The subject a request names: the caller's tenant, or one of its keys (else 404). */
async function subjectOf(c: Context<EdgeEnv>, keyId: string | null) {
  const config = settings(c);
  if (!config.limiter) {
    throw new ApiError(503, "Limits are off: the LIMITER Durable Object binding is missing.", {
      code: "limits_unavailable",
    });
  }
  const tenantId = c.get("principal").tenantId;
  const db = await openStore(config.database);
  // Another tenant's key is not found, exactly like a key that does not exist.
  if (keyId !== null && !(await isTenantKey(db, tenantId, keyId))) {
    throw new ApiError(404, `No API key '${keyId}'.`, { code: "api_key_not_found" });
  }
  const kind: SubjectKind = keyId === null ? "tenant" : "key";
  return { config, limiter: config.limiter, tenantId, db, kind, id: keyId ?? tenantId };
}

/** The report of a subject: plan, override, limits in force and the counters now. */
async function report(
  c: Context<EdgeEnv>,
  keyId: string | null,
  now: () => number,
): Promise<LimitsReport> {
  const { config, limiter, tenantId, db, kind, id } = await subjectOf(c, keyId);
  const overrides = await readOverrides(db, tenantId, keyId);
  const subject = limitSubject(config, tenantId, kind, id, overrides[kind]);
  const counter = tenantCounter(limiter, tenantId);
  const usage = await counter.inspect(slotOf(subject), subject.effective, now());
  return {
    object: "limits",
    subject: kind,
    key_id: keyId,
    plan: subject.plan,
    override: subject.override,
    effective: subject.effective,
    usage,
  };
}

/** Stores an override after checking it only tightens the plan. */
async function tightenLimits(
  c: Context<EdgeEnv>,
  keyId: string | null,
  body: PutLimitsRequest,
  now: () => number,
) {
  const { config, tenantId, db, kind, id } = await subjectOf(c, keyId);
  const plan = limitSubject(config, tenantId, kind, id, null).plan;
  const loosened = loosenedField(plan, body);
  if (loosened) {
    throw new ApiError(
      403,
      `'${loosened}' cannot exceed the plan's ${plan[loosened as keyof typeof plan]}: overrides only tighten limits.`,
      { code: "limit_above_plan", param: loosened },
    );
  }
  const at = new Date(now());
  await putOverride(db, tenantId, keyId ?? TENANT_SUBJECT, body, at);
  forgetOverrides(db, tenantId);
  await recordAdminAction(c, db, "limits.set", limitTarget(tenantId, keyId), { ...body }, at);
}

/** The audit log's name of a limited subject. */
function limitTarget(tenantId: string, keyId: string | null): string {
  return keyId ? `api_key:${keyId}` : `tenant:${tenantId}`;
}

/** Removes an override: the subject is back on its plan. */
async function backToPlan(c: Context<EdgeEnv>, keyId: string | null, now: () => number) {
  const { db, tenantId } = await subjectOf(c, keyId);
  await deleteOverride(db, tenantId, keyId ?? TENANT_SUBJECT);
  forgetOverrides(db, tenantId);
  await recordAdminAction(c, db, "limits.reset", limitTarget(tenantId, keyId), {}, new Date(now()));
}

/**
 * Mounts the limits admin routes (`admin:limits` scope): the caller's tenant and its keys only;
 * another tenant's key is a 404.
 */
export function mountLimitRoutes(app: OpenAPIHono<EdgeEnv>, now: () => number): void {
  app.use("/v1/admin/limits/*", requireScope("admin:limits"));

  app.openapi(getTenantLimitsRoute, async (c) => c.json(await report(c, null, now), 200));
  app.openapi(putTenantLimitsRoute, async (c) => {
    await tightenLimits(c, null, c.req.valid("json"), now);
    return c.json(await report(c, null, now), 200);
  });
  app.openapi(deleteTenantLimitsRoute, async (c) => {
    await backToPlan(c, null, now);
    return c.json(await report(c, null, now), 200);
  });

  app.openapi(getKeyLimitsRoute, async (c) =>
    c.json(await report(c, c.req.valid("param").id, now), 200),
  );
  app.openapi(putKeyLimitsRoute, async (c) => {
    const { id } = c.req.valid("param");
    await tightenLimits(c, id, c.req.valid("json"), now);
    return c.json(await report(c, id, now), 200);
  });
  app.openapi(deleteKeyLimitsRoute, async (c) => {
    const { id } = c.req.valid("param");
    await backToPlan(c, id, now);
    return c.json(await report(c, id, now), 200);
  });
}
