import { createRoute, z } from "@hono/zod-openapi";
import { ErrorEnvelopeSchema, errorResponses } from "./schemas/common.ts";
import { LimitsReport, PutLimitsRequest } from "./schemas/limits.ts";

const responses = {
  200: {
    description: "Limits in force and current usage",
    content: { "application/json": { schema: LimitsReport } },
  },
  ...errorResponses,
  403: {
    description: "The credentials lack the scope, or the override would loosen the plan",
    content: { "application/json": { schema: ErrorEnvelopeSchema } },
  },
} as const;

const keyParam = z.object({ id: z.string().min(1).max(64) });
const putBody = {
  body: { required: true, content: { "application/json": { schema: PutLimitsRequest } } },
};

const security = [{ bearerAuth: [] }];
const tenantPath = { path: "/v1/admin/limits/tenant", tags: ["Admin"], security, responses };
const keyPath = { path: "/v1/admin/limits/keys/{id}", tags: ["Admin"], security, responses };

/** `GET /v1/admin/limits/tenant`: the caller's tenant's limits and usage. */
export const getTenantLimitsRoute = createRoute({
  ...tenantPath,
  method: "get",
  summary: "Rate limits, budgets and usage of the caller's tenant",
});

/** `PUT /v1/admin/limits/tenant`: tightens the tenant's plan. */
export const putTenantLimitsRoute = createRoute({
  ...tenantPath,
  method: "put",
  summary: "Tighten the tenant's rate limits and budgets",
  request: putBody,
});

/** `DELETE /v1/admin/limits/tenant`: back to the plan. */
export const deleteTenantLimitsRoute = createRoute({
  ...tenantPath,
  method: "delete",
  summary: "Put the tenant back on its plan's limits",
});

/** `GET /v1/admin/limits/keys/{id}`: one key's limits and usage. */
export const getKeyLimitsRoute = createRoute({
  ...keyPath,
  method: "get",
  summary: "Rate limits, budgets and usage of one API key",
  request: { params: keyParam },
});

/** `PUT /v1/admin/limits/keys/{id}`: tightens one key's limits. */
export const putKeyLimitsRoute = createRoute({
  ...keyPath,
  method: "put",
  summary: "Tighten one API key's rate limits and budgets",
  request: { params: keyParam, ...putBody },
});

/** `DELETE /v1/admin/limits/keys/{id}`: the key back to the plan's per-key limits. */
export const deleteKeyLimitsRoute = createRoute({
  ...keyPath,
  method: "delete",
  summary: "Put one API key back on the plan's per-key limits",
  request: { params: keyParam },
});
