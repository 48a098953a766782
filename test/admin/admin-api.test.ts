/**
 * One admin test suite, run against both halves: the edge (its bundle in workerd, real D1) and
 * the appliance (a real daemon, real SQLite), each over real HTTP through the typed SDK. Both
 * serve keys, users and the audit log from shared/identity, so everything below must hold the
 * same on each: scopes, input errors naming the field, what a caller may grant, the last-admin
 * and self-lockout rules, tenant isolation, sessions ended by an access change, and the audit
 * entries, without secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TextNlpClient } from "../../shared/sdk/index.ts";
import { halves, PASSWORD, refusal, seedKey, type Target } from "../helpers/halves.ts";

describe.each(halves)("the admin API on the %s", (_name, start) => {
  let target: Target;
  let admin: TextNlpClient;
  let adminKeyId: string;

  beforeAll(async () => {
    target = await start();
    const root = await seedKey(target, target.tenant, ["*"]);
    admin = root.client;
    adminKeyId = root.id;
  });
  afterAll(() => target?.close());

  it("refuses missing scopes with 403 and a wrong key with 401", async () => {
    const { client: plain } = await seedKey(target, target.tenant, ["inference"]);
    for (const call of [plain.admin.keys.list, plain.admin.users.list, () => plain.admin.audit()]) {
      const err = await refusal(call());
      expect([err.status, err.code]).toEqual([403, "insufficient_scope"]);
    }
    const stranger = createClient({ baseUrl: target.url, apiKey: "tnlp_not-a-key" });
    expect((await refusal(stranger.admin.keys.list())).status).toBe(401);
  });

  it("answers bad input with a 400 naming the field", async () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      ["empty name", () => admin.admin.keys.create({ name: "", scopes: ["*"] }), "name"],
      [
        "bad scope",
        () => admin.admin.keys.create({ name: "x", scopes: ["NOT A SCOPE"] }),
        "scopes.0",
      ],
      [
        "short password",
        () => admin.admin.users.create({ username: "ada", password: "short", role: "admin" }),
        "password",
      ],
      [
        "unknown role",
        // A role the schema refuses, typed as one it takes.
        () =>
          admin.admin.users.create({
            username: "ada",
            password: PASSWORD,
            role: "root" as "admin",
          }),
        "role",
      ],
      ["bad audit time", () => admin.admin.audit({ from: "yesterday-ish" }), "from"],
      ["forged cursor", () => admin.admin.audit({ cursor: "bm9wZQ" }), "cursor"],
      ["bad action", () => admin.admin.audit({ action: "DROP TABLE" }), "action"],
      ["page too large", () => admin.admin.audit({ limit: 1000 }), "limit"],
    ];
    for (const [what, call, param] of cases) {
      const err = await refusal(call());
      expect([err.status, err.param], what).toEqual([400, param]);
    }
  });

  it("creates a key whose secret is shown once, lists it without it, and revokes it", async () => {
    const created = await admin.admin.keys.create({ name: "ci", scopes: ["admin:keys"] });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const ci = createClient({ baseUrl: target.url, apiKey: created.key });
    const listed = await ci.admin.keys.list();
    expect(listed.data.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    // A key cannot hand out more than it holds.
    const grant = await refusal(ci.admin.keys.create({ name: "y", scopes: ["*"] }));
    expect([grant.status, grant.code, grant.param]).toEqual([403, "insufficient_scope", "scopes"]);

    const revoked = await admin.admin.keys.revoke(created.id);
    expect(revoked.revoked_at).toEqual(expect.any(Number));
    expect((await refusal(admin.admin.keys.revoke(created.id))).status).toBe(404);
    expect((await refusal(ci.admin.keys.list())).status).toBe(401);
  });

  it("keeps an enabled admin: the same last-admin rule on both halves", async () => {
    const ada = await admin.admin.users.create({
      username: "ada",
      password: PASSWORD,
      role: "admin",
    });
    expect(ada).toMatchObject({
      object: "user",
      username: "ada",
      role: "admin",
      disabled_at: null,
    });
    expect(JSON.stringify(ada)).not.toContain(PASSWORD);
    const taken = await refusal(
      admin.admin.users.create({ username: "ada", password: PASSWORD, role: "viewer" }),
    );
    expect([taken.status, taken.code, taken.param]).toEqual([409, "username_taken", "username"]);

    for (const call of [
      () => admin.admin.users.update(ada.id, { role: "viewer" }),
      () => admin.admin.users.disable(ada.id),
      () => admin.admin.users.delete(ada.id),
    ]) {
      const err = await refusal(call());
      expect([err.status, err.code]).toEqual([409, "last_admin"]);
      expect(err.message).toContain("last active admin");
    }

    const bob = await admin.admin.users.create({
      username: "bob",
      password: PASSWORD,
      role: "admin",
    });
    expect((await admin.admin.users.disable(ada.id)).disabled_at).toEqual(expect.any(Number));
    // With ada disabled, bob is the last enabled admin.
    expect((await refusal(admin.admin.users.update(bob.id, { role: "developer" }))).code).toBe(
      "last_admin",
    );
    expect((await admin.admin.users.enable(ada.id)).disabled_at).toBeNull();
    expect((await admin.admin.users.update(bob.id, { role: "viewer" })).role).toBe("viewer");
    expect((await admin.admin.users.delete(bob.id)).username).toBe("bob");
    expect((await refusal(admin.admin.users.delete(bob.id))).status).toBe(404);
    expect((await refusal(admin.admin.users.update(bob.id, { role: "viewer" }))).status).toBe(404);
  });

  it("signs in a user, refuses self-lockout, and refuses sign-in after a new password or when disabled", async () => {
    const cy = await admin.admin.users.create({
      username: "cy",
      password: PASSWORD,
      role: "admin",
    });
    const asCy = await target.signIn("cy", PASSWORD);
    expect((await asCy.admin.users.list()).data.map((u) => u.username)).toContain("cy");
    for (const call of [
      () => asCy.admin.users.disable(cy.id),
      () => asCy.admin.users.delete(cy.id),
    ]) {
      const err = await refusal(call());
      expect([err.status, err.code]).toEqual([409, "self_lockout"]);
    }
    // What cy does is recorded as cy.
    const made = await asCy.admin.keys.create({ name: "cy's", scopes: ["inference"] });
    const entry = (await admin.admin.audit({ action: "api_key.create" })).data.find(
      (e) => e.target === `api_key:${made.id}`,
    );
    expect(entry?.actor).toEqual({ kind: "user", id: cy.id });

    // A new password: the old one no longer signs in, the new one does.
    await admin.admin.users.setPassword(cy.id, { password: "a brand new password" });
    await expect(target.signIn("cy", PASSWORD)).rejects.toThrow();
    await target.signIn("cy", "a brand new password");
    // Disabled: cy cannot sign in any more.
    await admin.admin.users.disable(cy.id);
    await expect(target.signIn("cy", "a brand new password")).rejects.toThrow();
  });

  it("refuses to grant a role whose scopes the caller lacks", async () => {
    const { client: usersOnly } = await seedKey(target, target.tenant, ["admin:users"]);
    const err = await refusal(
      usersOnly.admin.users.create({ username: "v", password: PASSWORD, role: "viewer" }),
    );
    expect([err.status, err.code, err.param]).toEqual([403, "insufficient_scope", "role"]);
    const { client: wider } = await seedKey(target, target.tenant, [
      "admin:users",
      "models:read",
      "usage:read",
    ]);
    const viewer = await wider.admin.users.create({
      username: "v",
      password: PASSWORD,
      role: "viewer",
    });
    expect((await refusal(wider.admin.users.update(viewer.id, { role: "admin" }))).status).toBe(
      403,
    );
  });

  it("keeps tenants apart: another tenant's keys, users and log are neither listed nor found", async () => {
    const { client: other } = await seedKey(target, "other-tenant", ["*"]);
    const mine = await admin.admin.users.list();
    expect((await other.admin.users.list()).data).toEqual([]);
    expect((await other.admin.keys.list()).data.map((k) => k.name)).toEqual(["seeded"]);
    expect((await other.admin.audit()).data).toEqual([]);
    const someone = mine.data[0];
    if (!someone) throw new Error("no users in the first tenant");
    expect((await refusal(other.admin.users.delete(someone.id))).status).toBe(404);
    expect((await refusal(other.admin.keys.revoke(adminKeyId))).status).toBe(404);
    // The same name is free in another tenant.
    await other.admin.users.create({
      username: someone.username,
      password: PASSWORD,
      role: "admin",
    });
  });

  it("records each change in the audit log, newest first, filtered and paged, without secrets", async () => {
    const all = await admin.admin.audit({ limit: 200 });
    const actions = all.data.map((e) => e.action);
    const times = all.data.map((e) => e.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const bob = all.data.filter((e) => e.detail?.username === "bob").map((e) => e.action);
    expect(bob).toEqual(["user.delete", "user.role_change", "user.create"]);
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
    const change = all.data.find((e) => e.action === "user.role_change");
    expect(change?.actor).toEqual({ kind: "api_key", id: adminKeyId });
    expect(change?.detail).toMatchObject({ username: "bob", from: "admin", to: "viewer" });

    const users = await admin.admin.audit({ action: "user.*" });
    expect(new Set(users.data.map((e) => e.action.split(".")[0]))).toEqual(new Set(["user"]));
    expect((await admin.admin.audit({ actor: "key_nobody" })).data).toEqual([]);
    expect((await admin.admin.audit({ from: String(Date.now() + 60_000) })).data).toEqual([]);

    const first = await admin.admin.audit({ limit: 3 });
    expect(first.has_more).toBe(true);
    const second = await admin.admin.audit({ limit: 3, cursor: first.next_cursor ?? undefined });
    expect([...first.data, ...second.data].map((e) => e.id)).toEqual(
      all.data.slice(0, 6).map((e) => e.id),
    );
    const text = JSON.stringify(all);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("a brand new password");
    expect(text).not.toMatch(/tnlp_[A-Za-z0-9_-]{20,}/);
  });
});
