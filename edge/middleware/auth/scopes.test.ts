/**
 * Every route under /v1 names its scope, and roles grant exactly what the README's table says:
 * the routes are read from the app itself, so a route added without a scope fails here.
 */
import { describe, expect, it } from "vitest";
import { hasScope } from "../../../shared/auth/api-keys.ts";
import { roleScopes } from "../../../shared/auth/scopes.ts";
import { roles } from "../../../shared/db/schema/users.ts";
import { seedApiKey, seedUser, startGateway } from "../../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

/** The scope each route needs (README, "Roles and scopes"). */
const routeScopes: Record<string, string> = {
  "POST /v1/chat/completions": "inference",
  "POST /v1/completions": "inference",
  "POST /v1/embeddings": "inference",
  "GET /v1/models": "models:read",
  "GET /v1/models/:model": "models:read",
  "GET /v1/usage": "usage:read",
  "POST /v1/templates": "templates",
  "GET /v1/templates": "templates",
  "GET /v1/templates/:name/versions": "templates",
  "POST /v1/templates/:name/preview": "templates",
  "POST /v1/seed-rows": "jobs",
  "POST /v1/jobs": "jobs",
  "POST /v1/jobs/estimate": "jobs",
  "GET /v1/jobs": "jobs",
  "GET /v1/jobs/:id": "jobs",
  "POST /v1/jobs/:id/cancel": "jobs",
  "POST /v1/jobs/:id/pause": "jobs",
  "POST /v1/jobs/:id/resume": "jobs",
  "GET /v1/jobs/:id/samples": "jobs",
  "GET /v1/jobs/:id/events": "jobs",
  "GET /v1/datasets": "datasets",
  "GET /v1/datasets/:id/samples": "datasets",
  "GET /v1/datasets/:id/export": "datasets",
  "DELETE /v1/datasets/:id": "datasets",
  "POST /v1/admin/keys": "admin:keys",
  "GET /v1/admin/keys": "admin:keys",
  "DELETE /v1/admin/keys/:id": "admin:keys",
  "PUT /v1/admin/provider-keys/:provider": "admin:providers",
  "GET /v1/admin/provider-keys": "admin:providers",
  "DELETE /v1/admin/provider-keys/:provider": "admin:providers",
  "POST /v1/admin/users": "admin:users",
  "GET /v1/admin/users": "admin:users",
  "PATCH /v1/admin/users/:id": "admin:users",
  "DELETE /v1/admin/users/:id": "admin:users",
  "POST /v1/admin/users/:id/disable": "admin:users",
  "POST /v1/admin/users/:id/enable": "admin:users",
  "PUT /v1/admin/users/:id/password": "admin:users",
  "GET /v1/admin/audit": "admin:audit",
  "GET /v1/admin/limits/tenant": "admin:limits",
  "PUT /v1/admin/limits/tenant": "admin:limits",
  "DELETE /v1/admin/limits/tenant": "admin:limits",
  "GET /v1/admin/limits/keys/:id": "admin:limits",
  "PUT /v1/admin/limits/keys/:id": "admin:limits",
  "DELETE /v1/admin/limits/keys/:id": "admin:limits",
  "POST /v1/admin/sites": "admin:sites",
  "GET /v1/admin/sites": "admin:sites",
  "POST /v1/admin/sites/:site/shares": "admin:sites",
  "POST /v1/admin/sites/:site/enrollment-codes": "admin:sites",
  "DELETE /v1/admin/sites/:site/appliances/:appliance": "admin:sites",
};
const allScopes = [...new Set(Object.values(routeScopes))];
const secret = "a-test-secret-that-is-at-least-32-bytes-long";

/** Sends `route` ("METHOD /path/:param") with a JSON body of `{}` and the given credential. */
async function send(
  callRaw: ReturnType<typeof startGateway>["callRaw"],
  route: string,
  credential: string,
): Promise<Response> {
  const [method = "GET", path = "/"] = route.split(" ");
  const url = `http://edge${path.replace(/:\w+/g, "openai")}`;
  const body = method === "GET" || method === "DELETE" ? undefined : "{}";
  return callRaw(url, {
    method,
    headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
    body,
  });
}

describe("scopes", () => {
  it("every /v1 route the app serves (besides sign-in) is in the table", () => {
    const { app } = startGateway();
    const served = app.routes
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/"))
      .filter((r) => !r.path.startsWith("/v1/auth/"))
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(served)].sort()).toEqual(Object.keys(routeScopes).sort());
  });

  it("each route refuses a key holding every scope but its own, and admits one holding only its own", async () => {
    const { callRaw } = startGateway();
    const tenant = "tenant-scopes";
    for (const [route, scope] of Object.entries(routeScopes)) {
      const without = await seedApiKey(
        allScopes.filter((s) => s !== scope),
        tenant,
      );
      const refused = await send(callRaw, route, without.secret);
      expect(refused.status, route).toBe(403);
      expect((await refused.json<Json>()).error.code, route).toBe("insufficient_scope");
      const only = await seedApiKey([scope], tenant);
      expect((await send(callRaw, route, only.secret)).status, route).not.toBe(403);
    }
  });

  it("roles: viewers only read models and usage, developers also run inference, templates and seed rows, admins do all", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    const password = "a long enough password";
    const allowed: Record<string, string[]> = {};
    for (const role of roles) {
      await seedUser("tenant-roles", `user-${role}`, password, role);
      const signIn = await callRaw("http://edge/v1/auth/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenant: "tenant-roles", username: `user-${role}`, password }),
      });
      const { access_token } = await signIn.json<Json>();
      allowed[role] = [];
      for (const [route, scope] of Object.entries(routeScopes)) {
        const status = (await send(callRaw, route, access_token)).status;
        expect(status === 403, `${role} ${route}`).toBe(!hasScope(roleScopes[role], scope));
        if (status !== 403) allowed[role]?.push(route);
      }
    }
    expect(allowed.viewer).toEqual(["GET /v1/models", "GET /v1/models/:model", "GET /v1/usage"]);
    expect(allowed.developer).toEqual([
      "POST /v1/chat/completions",
      "POST /v1/completions",
      "POST /v1/embeddings",
      "GET /v1/models",
      "GET /v1/models/:model",
      "GET /v1/usage",
      "POST /v1/templates",
      "GET /v1/templates",
      "GET /v1/templates/:name/versions",
      "POST /v1/templates/:name/preview",
      "POST /v1/seed-rows",
      "POST /v1/jobs",
      "POST /v1/jobs/estimate",
      "GET /v1/jobs",
      "GET /v1/jobs/:id",
      "POST /v1/jobs/:id/cancel",
      "POST /v1/jobs/:id/pause",
      "POST /v1/jobs/:id/resume",
      "GET /v1/jobs/:id/samples",
      "GET /v1/jobs/:id/events",
      "GET /v1/datasets",
      "GET /v1/datasets/:id/samples",
      "GET /v1/datasets/:id/export",
      "DELETE /v1/datasets/:id",
    ]);
    expect(allowed.admin).toEqual(Object.keys(routeScopes));
  }, 60_000);
});
