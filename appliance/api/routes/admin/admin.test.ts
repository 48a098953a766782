/**
 * The appliance's `/v1/admin` routes (the edge's definitions, mounted on the appliance), driven
 * with the official `openai` SDK over `app.request()` against a real SQLite store: scopes,
 * input errors naming the field, the last-admin rule, and the audit log they write.
 */
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp, errorResponse, toApiError } from "../../../../shared/api/app.ts";
import { verifyPassword } from "../../../../shared/auth/password.ts";
import { openStore, type Store } from "../../../store/db.ts";
import { createApiKey } from "../../../store/queries/api-keys.ts";
import { findUserById } from "../../../store/queries/users.ts";
import { apiKeyAuth } from "../../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../../types.ts";
import { mountAdminRoutes } from "./index.ts";

type Json = Record<string, unknown> & { id: string };
interface ListOf<T> {
  data: T[];
  has_more?: boolean;
  next_cursor?: string | null;
}
interface AuditEntry {
  id: string;
  actor: { kind: string; id: string };
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

const PASSWORD = "a long enough password";

describe("the appliance's admin API", () => {
  let store: Store;
  let admin: OpenAI;
  let adminKeyId: string;
  let clientFor: (secret: string) => OpenAI;

  beforeAll(async () => {
    store = openStore(":memory:");
    const app = createApiApp<ApplianceEnv>();
    app.use("/v1/*", apiKeyAuth({ db: store.db, loopback: true }));
    // Only what these routes use: the store.
    mountAdminRoutes(app, { db: store.db } as ApplianceServices);
    app.onError((err) => errorResponse(toApiError(err)));
    clientFor = (secret) =>
      new OpenAI({
        baseURL: "http://appliance.test/v1",
        apiKey: secret,
        maxRetries: 0,
        fetch: async (url, init) => app.request(String(url), init as RequestInit),
      });
    const made = await createApiKey(store.db, { name: "root", scopes: ["*"] });
    adminKeyId = made.key.id;
    admin = clientFor(made.secret);
  });
  afterAll(() => store?.close());

  /** The error the SDK threw for a refused call. */
  async function refusal(call: Promise<unknown>): Promise<APIError> {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    return err as APIError;
  }

  it("refuses a key without the admin scopes with 403, and no key with 401", async () => {
    const { secret } = await createApiKey(store.db, { name: "app", scopes: ["inference"] });
    const plain = clientFor(secret);
    for (const path of ["/admin/keys", "/admin/users", "/admin/audit"]) {
      const err = await refusal(plain.get(path));
      expect(err.status, path).toBe(403);
      expect(err.code).toBe("insufficient_scope");
    }
    const err = await refusal(clientFor("tnlp_not-a-key").get("/admin/keys"));
    expect(err.status).toBe(401);
  });

  it("answers bad input with a 400 naming the field", async () => {
    const cases: [string, Promise<unknown>, string][] = [
      ["empty name", admin.post("/admin/keys", { body: { name: "", scopes: ["*"] } }), "name"],
      [
        "bad scope",
        admin.post("/admin/keys", { body: { name: "x", scopes: ["NOT A SCOPE"] } }),
        "scopes.0",
      ],
      [
        "short password",
        admin.post("/admin/users", { body: { username: "ada", password: "short", role: "admin" } }),
        "password",
      ],
      [
        "unknown role",
        admin.post("/admin/users", { body: { username: "ada", password: PASSWORD, role: "root" } }),
        "role",
      ],
      ["bad audit time", admin.get("/admin/audit", { query: { from: "yesterday-ish" } }), "from"],
      ["bad cursor", admin.get("/admin/audit", { query: { cursor: "nope" } }), "cursor"],
    ];
    for (const [what, call, param] of cases) {
      const err = await refusal(call);
      expect(err.status, what).toBe(400);
      expect(err.param, what).toBe(param);
    }
  });

  it("creates a key whose secret is shown once, lists it without it, and revokes it", async () => {
    const created = (await admin.post("/admin/keys", {
      body: { name: "ci", scopes: ["admin:keys"] },
    })) as Json & { key: string; prefix: string };
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const ci = clientFor(created.key);
    // It authenticates, and cannot hand out what it does not hold.
    const listed = (await ci.get("/admin/keys")) as ListOf<Json>;
    expect(listed.data.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const grant = await refusal(ci.post("/admin/keys", { body: { name: "y", scopes: ["*"] } }));
    expect([grant.status, grant.param]).toEqual([403, "scopes"]);

    const revoked = (await admin.delete(`/admin/keys/${created.id}`)) as Json;
    expect(revoked.revoked_at).toEqual(expect.any(Number));
    expect((await refusal(admin.delete(`/admin/keys/${created.id}`))).status).toBe(404);
    expect((await refusal(ci.get("/admin/keys"))).status).toBe(401);
  });

  it("manages users and refuses to lose the last active admin", async () => {
    const ada = (await admin.post("/admin/users", {
      body: { username: "ada", password: PASSWORD, role: "admin" },
    })) as Json;
    expect(ada).toMatchObject({ username: "ada", role: "admin", disabled_at: null });
    expect(JSON.stringify(ada)).not.toContain(PASSWORD);
    const taken = await refusal(
      admin.post("/admin/users", { body: { username: "ada", password: PASSWORD, role: "viewer" } }),
    );
    expect([taken.status, taken.code]).toEqual([409, "username_taken"]);

    for (const call of [
      admin.patch(`/admin/users/${ada.id}`, { body: { role: "viewer" } }),
      admin.post(`/admin/users/${ada.id}/disable`),
      admin.delete(`/admin/users/${ada.id}`),
    ]) {
      const err = await refusal(call);
      expect([err.status, err.code]).toEqual([409, "last_admin"]);
      expect(err.message).toContain("last active admin");
    }

    const bob = (await admin.post("/admin/users", {
      body: { username: "bob", password: PASSWORD, role: "admin" },
    })) as Json;
    const disabled = (await admin.post(`/admin/users/${ada.id}/disable`)) as Json;
    expect(disabled.disabled_at).toEqual(expect.any(Number));
    // With ada disabled, bob is the last active admin.
    expect(
      (await refusal(admin.patch(`/admin/users/${bob.id}`, { body: { role: "developer" } }))).code,
    ).toBe("last_admin");
    expect(((await admin.post(`/admin/users/${ada.id}/enable`)) as Json).disabled_at).toBeNull();
    expect(
      ((await admin.patch(`/admin/users/${bob.id}`, { body: { role: "viewer" } })) as Json).role,
    ).toBe("viewer");

    await admin.put(`/admin/users/${bob.id}/password`, {
      body: { password: "a brand new password" },
    });
    const hash = findUserById(store.db, "local", bob.id)?.passwordHash ?? "";
    expect(await verifyPassword("a brand new password", hash)).toBe(true);
    expect(await verifyPassword(PASSWORD, hash)).toBe(false);

    expect(((await admin.delete(`/admin/users/${bob.id}`)) as Json).username).toBe("bob");
    expect((await refusal(admin.delete(`/admin/users/${bob.id}`))).status).toBe(404);
  });

  it("records each change in the audit log, newest first, filterable and paged, without secrets", async () => {
    const all = (await admin.get("/admin/audit", { query: { limit: 200 } })) as ListOf<AuditEntry>;
    const actions = all.data.map((e) => e.action);
    expect(actions.indexOf("user.delete")).toBeLessThan(actions.indexOf("user.create"));
    for (const action of [
      "api_key.create",
      "api_key.revoke",
      "user.create",
      "user.disable",
      "user.enable",
      "user.role_change",
      "user.password_reset",
      "user.delete",
    ])
      expect(actions, action).toContain(action);
    expect(all.data.every((e) => e.actor.kind === "api_key" && e.actor.id === adminKeyId)).toBe(
      true,
    );

    const users = (await admin.get("/admin/audit", {
      query: { action: "user.*" },
    })) as ListOf<AuditEntry>;
    expect(new Set(users.data.map((e) => e.action.split(".")[0]))).toEqual(new Set(["user"]));
    const byOther = (await admin.get("/admin/audit", {
      query: { actor: "key_nobody" },
    })) as ListOf<AuditEntry>;
    expect(byOther.data).toEqual([]);
    const future = (await admin.get("/admin/audit", {
      query: { from: String(Date.now() + 60_000) },
    })) as ListOf<AuditEntry>;
    expect(future.data).toEqual([]);

    const first = (await admin.get("/admin/audit", { query: { limit: 3 } })) as ListOf<AuditEntry>;
    expect(first.has_more).toBe(true);
    const second = (await admin.get("/admin/audit", {
      query: { limit: 3, cursor: first.next_cursor },
    })) as ListOf<AuditEntry>;
    expect([...first.data, ...second.data].map((e) => e.id)).toEqual(
      all.data.slice(0, 6).map((e) => e.id),
    );

    const table = JSON.stringify(store.sqlite.prepare("SELECT * FROM audit_log").all());
    expect(table).not.toContain(PASSWORD);
    expect(table).not.toContain("a brand new password");
    expect(table).not.toMatch(/tnlp_[A-Za-z0-9_-]{20,}/);
  });
});
