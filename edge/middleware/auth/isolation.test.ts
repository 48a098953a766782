/**
 * Strict tenant isolation: tenant B's credentials (an admin API key, and a signed-in admin
 * user's access token) walk every tenant-scoped route against tenant A's objects (keys, users,
 * provider keys, usage, audit log) and get 404 or empty lists, never A's data; A's objects are
 * unchanged afterwards.
 */
import { describe, expect, it } from "vitest";
import { seedApiKey, seedUser, startGateway } from "../../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

const master = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const secret = "a-test-secret-that-is-at-least-32-bytes-long";
const password = "a long enough password";

describe("tenant isolation", () => {
  it("tenant B sees and changes nothing of tenant A, with a key or a user token", async () => {
    const { callRaw } = startGateway({
      bindings: { PROVIDER_KEYS_SECRET: master, JWT_SECRET: secret },
    });
    const as =
      (credential: string) =>
      (path: string, method = "GET", body?: unknown) =>
        callRaw(`http://edge${path}`, {
          method,
          headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });

    // Tenant A: a key, a user, a provider key, a call (usage), and their audit entries.
    const adminA = as((await seedApiKey(["*"], "tenant-iso-A")).secret);
    const keyA = await (await adminA("/v1/admin/keys", "POST", { name: "a-key" })).json<Json>();
    const userA = await (
      await adminA("/v1/admin/users", "POST", { username: "alice-a", password, role: "admin" })
    ).json<Json>();
    expect(
      (await adminA("/v1/admin/provider-keys/openai", "PUT", { api_key: "sk-fake-openai" })).status,
    ).toBe(200);
    const chat = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
    expect((await adminA("/v1/chat/completions", "POST", chat)).status).toBe(200);
    const auditA = await (await adminA("/v1/admin/audit")).json<Json>();
    expect(auditA.data.map((e: Json) => e.action).sort()).toEqual([
      "api_key.create",
      "provider_key.set",
      "user.create",
    ]);
    const secretsOfA = [
      keyA.id,
      keyA.prefix,
      userA.id,
      "alice-a",
      ...auditA.data.map((e: Json) => e.id),
    ];

    // Tenant B: an admin key, and an admin user who signs in.
    const keyB = await seedApiKey(["*"], "tenant-iso-B");
    await seedUser("tenant-iso-B", "bob-b", password, "admin");
    const tokenB = await (
      await callRaw("http://edge/v1/auth/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenant: "tenant-iso-B", username: "bob-b", password }),
      })
    ).json<Json>();
    expect(tokenB.access_token).toBeTypeOf("string");

    for (const credential of [keyB.secret, tokenB.access_token as string]) {
      const b = as(credential);
      const answers: [string, Response, number[]][] = [
        ["list keys", await b("/v1/admin/keys"), [200]],
        ["revoke A's key", await b(`/v1/admin/keys/${keyA.id}`, "DELETE"), [404]],
        ["list users", await b("/v1/admin/users"), [200]],
        [
          "demote A's user",
          await b(`/v1/admin/users/${userA.id}`, "PATCH", { role: "viewer" }),
          [404],
        ],
        ["delete A's user", await b(`/v1/admin/users/${userA.id}`, "DELETE"), [404]],
        ["list provider keys", await b("/v1/admin/provider-keys"), [200]],
        ["delete A's provider key", await b("/v1/admin/provider-keys/openai", "DELETE"), [404]],
        ["usage", await b("/v1/usage"), [200]],
        ["audit", await b("/v1/admin/audit"), [200]],
        ["audit by action", await b("/v1/admin/audit?action=api_key.create"), [200]],
      ];
      for (const [what, res, statuses] of answers) {
        expect(statuses, what).toContain(res.status);
        // A 404 may name the id B sent itself; nothing else of A may appear.
        const text = (await res.text())
          .replaceAll(`'${keyA.id}'`, "")
          .replaceAll(`'${userA.id}'`, "");
        for (const item of secretsOfA) expect(text, what).not.toContain(item);
        const json = JSON.parse(text) as Json;
        if (res.status === 200) {
          // Lists of B's own tenant: whatever B made itself, nothing of A.
          expect(
            json.data.every((row: Json) => !JSON.stringify(row).includes("tenant-iso-A")),
            what,
          ).toBe(true);
        }
      }
      expect(await (await b("/v1/usage")).json<Json>()).toEqual({ object: "list", data: [] });
      expect((await (await b("/v1/admin/provider-keys")).json<Json>()).data).toEqual([]);
    }

    // A user of A cannot sign in under B's tenant.
    const crossSignIn = await callRaw("http://edge/v1/auth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenant: "tenant-iso-B", username: "alice-a", password }),
    });
    expect(crossSignIn.status).toBe(401);

    // A's objects are as they were.
    const keysA = await (await adminA("/v1/admin/keys")).json<Json>();
    expect(keysA.data.find((k: Json) => k.id === keyA.id).revoked_at).toBeNull();
    const usersA = await (await adminA("/v1/admin/users")).json<Json>();
    expect(usersA.data).toMatchObject([{ id: userA.id, role: "admin" }]);
    const providerKeysA = await (await adminA("/v1/admin/provider-keys")).json<Json>();
    expect(providerKeysA.data).toMatchObject([{ provider: "openai" }]);
    expect((await (await adminA("/v1/usage")).json<Json>()).data).toHaveLength(1);
    expect((await (await adminA("/v1/admin/audit")).json<Json>()).data).toHaveLength(3);
  }, 60_000);
});
