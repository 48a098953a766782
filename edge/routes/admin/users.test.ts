/**
 * The user admin API and the audit log in workerd with real D1: users created, listed, re-roled
 * and deleted within the caller's tenant; no escalation past the caller's own scopes; the last
 * admin kept; every action audited without secrets, read back a page at a time.
 */
import { describe, expect, it } from "vitest";
import { seedApiKey, startGateway } from "../../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

const password = "a long enough password";
const as =
  (callRaw: ReturnType<typeof startGateway>["callRaw"], credential: string) =>
  (path: string, method = "GET", body?: unknown) =>
    callRaw(`http://edge${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

describe("users", () => {
  it("are created, listed, re-roled and deleted, each action audited without the password", async () => {
    // A clock that moves on every reading, so the log's newest-first order is well defined.
    let clock = Date.UTC(2026, 2, 1);
    const { callRaw } = startGateway({ deps: { now: () => (clock += 1000) } });
    const key = await seedApiKey(["*"], "tenant-users");
    const admin = as(callRaw, key.secret);
    const created = await admin("/v1/admin/users", "POST", {
      username: "grace",
      password,
      role: "developer",
    });
    expect(created.status).toBe(201);
    const grace = await created.json<Json>();
    expect(grace).toMatchObject({ object: "user", username: "grace", role: "developer" });
    expect(grace).not.toHaveProperty("password_hash");

    const taken = await admin("/v1/admin/users", "POST", {
      username: "grace",
      password,
      role: "viewer",
    });
    expect(taken.status).toBe(409);
    expect((await taken.json<Json>()).error.code).toBe("username_taken");
    const short = await admin("/v1/admin/users", "POST", {
      username: "x",
      password: "short",
      role: "viewer",
    });
    expect(short.status).toBe(400);
    expect((await short.json<Json>()).error.param).toBe("password");
    const badRole = await admin("/v1/admin/users", "POST", {
      username: "y",
      password,
      role: "root",
    });
    expect(badRole.status).toBe(400);

    const listed = await (await admin("/v1/admin/users")).json<Json>();
    expect(listed.data.map((u: Json) => u.username)).toEqual(["grace"]);
    const changed = await admin(`/v1/admin/users/${grace.id}`, "PATCH", { role: "admin" });
    expect((await changed.json<Json>()).role).toBe("admin");

    // Grace is the only admin user now: she can be neither demoted nor deleted.
    const demote = await admin(`/v1/admin/users/${grace.id}`, "PATCH", { role: "viewer" });
    expect(demote.status).toBe(409);
    expect((await demote.json<Json>()).error.code).toBe("last_admin");
    expect((await admin(`/v1/admin/users/${grace.id}`, "DELETE")).status).toBe(409);
    await admin("/v1/admin/users", "POST", { username: "root2", password, role: "admin" });
    expect((await admin(`/v1/admin/users/${grace.id}`, "DELETE")).status).toBe(200);
    expect((await admin(`/v1/admin/users/${grace.id}`, "DELETE")).status).toBe(404);
    expect((await admin(`/v1/admin/users/${grace.id}`, "PATCH", { role: "viewer" })).status).toBe(
      404,
    );

    const audit = await (await admin("/v1/admin/audit?action=user.*")).json<Json>();
    expect(audit.data.map((e: Json) => e.action)).toEqual([
      "user.delete",
      "user.create",
      "user.role_change",
      "user.create",
    ]);
    const change = audit.data.find((e: Json) => e.action === "user.role_change");
    expect(change).toMatchObject({
      actor: { kind: "api_key", id: key.id },
      target: `user:${grace.id}`,
      detail: { username: "grace", from: "developer", to: "admin" },
    });
    expect(JSON.stringify(audit)).not.toContain(password);
  });

  it("cannot be given a role that needs scopes the caller lacks", async () => {
    const { callRaw } = startGateway();
    const usersOnly = as(callRaw, (await seedApiKey(["admin:users"], "tenant-esc")).secret);
    const viewer = await usersOnly("/v1/admin/users", "POST", {
      username: "v",
      password,
      role: "viewer",
    });
    expect(viewer.status).toBe(403);
    expect((await viewer.json<Json>()).error).toMatchObject({
      code: "insufficient_scope",
      param: "role",
    });
    const wider = as(
      callRaw,
      (await seedApiKey(["admin:users", "models:read", "usage:read"], "tenant-esc")).secret,
    );
    const ok = await wider("/v1/admin/users", "POST", { username: "v", password, role: "viewer" });
    expect(ok.status).toBe(201);
    const id = (await ok.json<Json>()).id;
    expect((await wider(`/v1/admin/users/${id}`, "PATCH", { role: "admin" })).status).toBe(403);
  });
});

describe("GET /v1/admin/audit", () => {
  it("pages newest first with a cursor, filters by action, and refuses a forged cursor", async () => {
    let now = Date.UTC(2026, 2, 1);
    const { callRaw } = startGateway({ deps: { now: () => now } });
    const admin = as(callRaw, (await seedApiKey(["*"], "tenant-audit")).secret);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      now += 1000;
      ids.push((await (await admin("/v1/admin/keys", "POST", { name: `k${i}` })).json<Json>()).id);
    }
    now += 1000;
    await admin(`/v1/admin/keys/${ids[0]}`, "DELETE");

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: Json = await (await admin(`/v1/admin/audit?limit=2${query}`)).json<Json>();
      seen.push(...page.data.map((e: Json) => `${e.action} ${e.target}`));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      `api_key.revoke api_key:${ids[0]}`,
      ...ids.map((id) => `api_key.create api_key:${id}`).reverse(),
    ]);

    const revokes = await (await admin("/v1/admin/audit?action=api_key.revoke")).json<Json>();
    expect(revokes.data).toHaveLength(1);
    expect(revokes.data[0].detail).toEqual({ name: "k0" });
    const all = await (await admin("/v1/admin/audit?action=api_key.*")).json<Json>();
    expect(all.data).toHaveLength(6);
    expect(JSON.stringify(all)).not.toContain("tnlp_"); // key secrets are never logged
    expect((await admin("/v1/admin/audit?cursor=bm9wZQ")).status).toBe(400);
    expect((await admin("/v1/admin/audit?action=DROP%20TABLE")).status).toBe(400);
    expect((await admin("/v1/admin/audit?limit=1000")).status).toBe(400);
  });
});
