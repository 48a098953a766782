/**
 * The identity queries (shared/identity) and the edge's refresh tokens on libSQL (`file:`):
 * users, refresh-token rotation and reuse, sessions ended by an access change, the lockout
 * upsert and audit paging run unchanged on the second driver.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueRefreshToken, useRefreshToken } from "../../edge/store/refresh-tokens.ts";
import type { EdgeDb } from "../../edge/store/types.ts";
import { listAudit, recordAudit } from "../../shared/db/audit.ts";
import { tenants } from "../../shared/db/schema/index.ts";
import { lockedUntil, recordLoginFailure } from "../../shared/identity/login-failures.ts";
import {
  createUser,
  deleteUser,
  findUserByName,
  setUserDisabled,
} from "../../shared/identity/users.ts";
import { openLibsqlStore } from "./open.ts";

let db: EdgeDb;
let close: () => void = () => {};

beforeAll(async () => {
  ({ db, close } = await openLibsqlStore());
  await db.insert(tenants).values({ id: "t1", name: "t1", createdAt: new Date(0) });
});
afterAll(() => close());

describe("edge auth store on libSQL (file:)", () => {
  it("rotates refresh tokens and revokes the family on reuse; deleting the user drops them", async () => {
    const now = new Date(Date.UTC(2026, 0, 1));
    const user = await createUser(
      db,
      { tenantId: "t1", username: "ada", password: "x".repeat(12), role: "admin" },
      now,
    );
    expect(user).toBeDefined();
    expect(
      await createUser(
        db,
        { tenantId: "t1", username: "ada", password: "y".repeat(12), role: "viewer" },
        now,
      ),
    ).toBeUndefined();
    const input = { tenantId: "t1", userId: user?.id ?? "", familyId: "fam_1", ttlMs: 60_000 };
    const issue = async (family: string) => {
      const secret = await issueRefreshToken(db, { ...input, familyId: family }, now);
      if (!secret) throw new Error(`family ${family} is revoked`);
      return secret;
    };
    const first = await issue("fam_1");
    expect((await useRefreshToken(db, first, now)).outcome).toBe("rotated");
    const second = await issue("fam_1");
    expect(await useRefreshToken(db, first, now)).toMatchObject({
      outcome: "reused",
      familyId: "fam_1",
    });
    expect((await useRefreshToken(db, second, now)).outcome).toBe("invalid");
    // A revoked family takes no new members (a rotation that lost a race to a reuse).
    expect(await issueRefreshToken(db, input, now)).toBeNull();

    const third = await issue("fam_2");
    if (!user) throw new Error("user not created");
    // Disabling ends every sign-in of the user (and re-enabling does not bring them back).
    await setUserDisabled(db, user, true, now);
    await setUserDisabled(db, user, false, now);
    expect((await useRefreshToken(db, third, now)).outcome).not.toBe("rotated");
    const fourth = await issue("fam_3");
    await deleteUser(db, user);
    expect(await findUserByName(db, "t1", "ada")).toBeUndefined();
    expect((await useRefreshToken(db, fourth, now)).outcome).toBe("invalid");
  });

  it("locks a name on the third failure of three and lifts the lock when it ends", async () => {
    const now = new Date(Date.UTC(2026, 0, 1));
    const policy = { maxFailures: 3, lockMs: 60_000 };
    expect(await recordLoginFailure(db, "t1", "eve", policy, now)).toBeNull();
    expect(await recordLoginFailure(db, "t1", "eve", policy, now)).toBeNull();
    expect(await recordLoginFailure(db, "t1", "eve", policy, now)).toEqual(
      new Date(now.getTime() + 60_000),
    );
    expect(await lockedUntil(db, "t1", "eve", now)).toEqual(new Date(now.getTime() + 60_000));
    expect(await lockedUntil(db, "t1", "eve", new Date(now.getTime() + 60_000))).toBeNull();
    expect(await lockedUntil(db, "t1", "other", now)).toBeNull();
  });

  it("pages the audit log newest first and filters by action family, actor and time", async () => {
    for (let i = 0; i < 3; i++) {
      await recordAudit(
        db,
        {
          tenantId: "t1",
          actor: { kind: "system", id: i === 2 ? "other" : "test" },
          action: i === 1 ? "user_x.create" : "user.create",
          target: `n:${i}`,
        },
        new Date(1000 * (i + 1)),
      );
    }
    const first = await listAudit(db, "t1", { limit: 2 });
    expect(first.entries.map((e) => e.target)).toEqual(["n:2", "n:1"]);
    expect(first.hasMore).toBe(true);
    const last = first.entries[1];
    const rest = await listAudit(db, "t1", {
      limit: 2,
      after: { createdAt: last?.createdAt.getTime() ?? 0, id: last?.id ?? "" },
    });
    expect(rest.entries.map((e) => e.target)).toEqual(["n:0"]);
    expect(rest.hasMore).toBe(false);
    // `user.*` is a prefix match on "user.", not a LIKE pattern: `user_x` stays out.
    const users = await listAudit(db, "t1", { action: "user.*", limit: 10 });
    expect(users.entries.map((e) => e.target)).toEqual(["n:2", "n:0"]);
    expect((await listAudit(db, "t2", { limit: 10 })).entries).toEqual([]);
    // By actor, and within a time window (both ends included).
    const byTest = await listAudit(db, "t1", { actorId: "test", limit: 10 });
    expect(byTest.entries.map((e) => e.target)).toEqual(["n:1", "n:0"]);
    const window = await listAudit(db, "t1", { from: 2000, to: 3000, limit: 10 });
    expect(window.entries.map((e) => e.target)).toEqual(["n:2", "n:1"]);
    expect((await listAudit(db, "t1", { to: 999, limit: 10 })).entries).toEqual([]);
  });
});
