/**
 * Sign-in in workerd with real D1: passwords (scrypt in workerd), access tokens signed with
 * jose, rotating refresh tokens whose reuse revokes the family, logout, and lockout after
 * repeated failures (on the injected clock).
 */
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { seedApiKey, seedUser, startGateway } from "../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

const secret = "a-test-secret-that-is-at-least-32-bytes-long";
const post = (body: unknown, token?: string) => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body: JSON.stringify(body),
});
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const password = "correct horse battery staple";

describe("POST /v1/auth/token", () => {
  it("signs a user in: the access token works, wrong names and passwords get one 401", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    const userId = await seedUser("tenant-signin", "ada", password, "developer");
    const res = await callRaw(
      "http://edge/v1/auth/token",
      post({ tenant: "tenant-signin", username: "ada", password }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const tokens = await res.json<Json>();
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(tokens.refresh_token).toMatch(/^tnlr_/);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: userId,
      tid: "tenant-signin",
      role: "developer",
      iss: "textnlp",
      aud: "textnlp-api",
    });
    expect((await callRaw("http://edge/v1/usage", bearer(tokens.access_token))).status).toBe(200);

    for (const attempt of [
      { tenant: "tenant-signin", username: "ada", password: `${password}!` },
      { tenant: "tenant-signin", username: "nobody", password },
      { tenant: "tenant-other", username: "ada", password },
    ]) {
      const refused = await callRaw("http://edge/v1/auth/token", post(attempt));
      expect(refused.status).toBe(401);
      expect(await refused.json<Json>()).toEqual({
        error: {
          message: "Incorrect tenant, username or password.",
          type: "authentication_error",
          param: null,
          code: "invalid_credentials",
        },
      });
    }
    const bad = await callRaw("http://edge/v1/auth/token", post({ tenant: "t", username: "a" }));
    expect(bad.status).toBe(400);
  });

  it("is off without a signing key", async () => {
    const { callRaw } = startGateway();
    await seedUser("tenant-nokey", "ada", password, "admin");
    const res = await callRaw(
      "http://edge/v1/auth/token",
      post({ tenant: "tenant-nokey", username: "ada", password }),
    );
    expect(res.status).toBe(400);
    expect((await res.json<Json>()).error.code).toBe("feature_disabled");
  });

  it("signs with a private JWK (ES256, with its kid) whose public half verifies", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: "ES256", kid: "edge-1" };
    const { callRaw } = startGateway({ bindings: { JWT_PRIVATE_JWK: JSON.stringify(jwk) } });
    await seedUser("tenant-es", "ada", password, "viewer");
    const tokens = await (
      await callRaw(
        "http://edge/v1/auth/token",
        post({ tenant: "tenant-es", username: "ada", password }),
      )
    ).json<Json>();
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({
      alg: "ES256",
      kid: "edge-1",
    });
    expect((await callRaw("http://edge/v1/usage", bearer(tokens.access_token))).status).toBe(200);
  });

  it("locks a name after five failures, known or not, until the lock ends", async () => {
    let now = Date.UTC(2026, 5, 1);
    const { callRaw } = startGateway({
      bindings: { JWT_SECRET: secret },
      deps: { now: () => now },
    });
    await seedUser("tenant-lock", "ada", password, "developer");
    const signIn = (username: string, pw: string) =>
      callRaw("http://edge/v1/auth/token", post({ tenant: "tenant-lock", username, password: pw }));
    for (const username of ["ada", "ghost"]) {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await signIn(username, "wrong password")).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
    }
    const locked = await signIn("ada", password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("900");
    expect((await locked.json<Json>()).error.code).toBe("login_locked");
    now += 15 * 60_000 - 1000;
    expect((await signIn("ada", password)).status).toBe(429);
    now += 1000;
    expect((await signIn("ada", password)).status).toBe(200);
    // A success clears the count: four more failures do not lock.
    for (let i = 0; i < 4; i++) expect((await signIn("ada", "wrong password")).status).toBe(401);
    expect((await signIn("ada", password)).status).toBe(200);
  }, 60_000);
});

describe("refresh tokens", () => {
  const signIn = async (callRaw: ReturnType<typeof startGateway>["callRaw"], tenant: string) =>
    (
      await callRaw("http://edge/v1/auth/token", post({ tenant, username: "ada", password }))
    ).json<Json>();

  it("rotate; presenting a spent one revokes the whole family", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    const userId = await seedUser("tenant-rot", "ada", password, "developer");
    const first = await signIn(callRaw, "tenant-rot");
    const rotated = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: first.refresh_token }),
    );
    expect(rotated.status).toBe(200);
    const second = await rotated.json<Json>();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await callRaw("http://edge/v1/usage", bearer(second.access_token))).status).toBe(200);

    // A separate sign-in is its own family and survives what follows.
    const other = await signIn(callRaw, "tenant-rot");

    const replay = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: first.refresh_token }),
    );
    expect(replay.status).toBe(401);
    expect((await replay.json<Json>()).error.code).toBe("refresh_token_reused");
    const afterReuse = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: second.refresh_token }),
    );
    expect(afterReuse.status).toBe(401);
    expect((await afterReuse.json<Json>()).error.code).toBe("invalid_refresh_token");
    expect(
      (await callRaw("http://edge/v1/auth/refresh", post({ refresh_token: other.refresh_token })))
        .status,
    ).toBe(200);

    // The reuse is in the tenant's audit log.
    const auditor = await seedApiKey(["admin:audit"], "tenant-rot");
    const audit = await (
      await callRaw("http://edge/v1/admin/audit?action=refresh_token.reuse", bearer(auditor.secret))
    ).json<Json>();
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({
      actor: { kind: "user", id: userId },
      target: `user:${userId}`,
    });
    const garbage = await callRaw("http://edge/v1/auth/refresh", post({ refresh_token: "tnlr_x" }));
    expect((await garbage.json<Json>()).error.code).toBe("invalid_refresh_token");
  });

  it("used twice at once: one use wins, the other revokes the family, the winner's token too", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    await seedUser("tenant-race", "ada", password, "developer");
    const { refresh_token } = await signIn(callRaw, "tenant-race");
    const answers = await Promise.all(
      [1, 2].map(() => callRaw("http://edge/v1/auth/refresh", post({ refresh_token }))),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = await answers.find((r) => r.status === 200)?.json<Json>();
    const next = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: winner.refresh_token }),
    );
    expect(next.status).toBe(401);
  });

  it("expire on the injected clock, end with a role change, and die with their user", async () => {
    let now = Date.UTC(2026, 5, 1);
    const { callRaw, call } = startGateway({
      bindings: { JWT_SECRET: secret, REFRESH_TOKEN_TTL_SECONDS: "3600" },
      deps: { now: () => now },
    });
    const userId = await seedUser("tenant-test", "ada", password, "developer");
    const tokens = await signIn(callRaw, "tenant-test");
    const changed = await call(`http://edge/v1/admin/users/${userId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: "viewer" }),
    });
    expect(changed.status).toBe(200);
    // A new role ends the user's sign-ins (as it ends panel sessions on the appliance).
    const refused = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: tokens.refresh_token }),
    );
    expect((await refused.json<Json>()).error.code).toBe("invalid_refresh_token");
    const renewed = await signIn(callRaw, "tenant-test");
    expect(decodeJwt(renewed.access_token).role).toBe("viewer");

    now += 3600_000;
    const expired = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: renewed.refresh_token }),
    );
    expect((await expired.json<Json>()).error.code).toBe("invalid_refresh_token");

    const fresh = await signIn(callRaw, "tenant-test");
    expect((await call(`http://edge/v1/admin/users/${userId}`, { method: "DELETE" })).status).toBe(
      200,
    );
    const orphan = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: fresh.refresh_token }),
    );
    expect(orphan.status).toBe(401);
  });

  it("logout revokes the family", async () => {
    const { callRaw } = startGateway({ bindings: { JWT_SECRET: secret } });
    await seedUser("tenant-out", "ada", password, "viewer");
    const first = await signIn(callRaw, "tenant-out");
    const second = await (
      await callRaw("http://edge/v1/auth/refresh", post({ refresh_token: first.refresh_token }))
    ).json<Json>();
    const out = await callRaw(
      "http://edge/v1/auth/logout",
      post({ refresh_token: second.refresh_token }),
    );
    expect(out.status).toBe(204);
    const after = await callRaw(
      "http://edge/v1/auth/refresh",
      post({ refresh_token: second.refresh_token }),
    );
    expect(after.status).toBe(401);
    const unknown = await callRaw("http://edge/v1/auth/logout", post({ refresh_token: "tnlr_no" }));
    expect(unknown.status).toBe(401);
  });
});
