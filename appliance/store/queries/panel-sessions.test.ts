import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { User } from "../../../shared/db/schema/index.ts";
import {
  createUser,
  deleteUser,
  setUserDisabled,
  setUserPassword,
  setUserRole,
} from "../../../shared/identity/users.ts";
import { openStore, type Store } from "../db.ts";
import { createPanelSession, deletePanelSession, findPanelSession } from "./panel-sessions.ts";
import { LOCAL_TENANT } from "./tenants.ts";

describe("panel sessions", () => {
  let store: Store;
  let user: User;
  let userId: string;
  const t0 = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    store = openStore(":memory:");
    const made = await createUser(
      store.db,
      { tenantId: LOCAL_TENANT, username: "ada", password: "x".repeat(12), role: "admin" },
      new Date(t0),
    );
    if (!made) throw new Error("user not created");
    user = made;
    userId = made.id;
  });
  afterEach(() => store.close());

  it("finds a session by its token until it expires, and stores only the token's hash", () => {
    const { token, session } = createPanelSession(store.db, userId, { now: t0, ttlMs: 60_000 });
    expect(session.id).not.toContain(token);
    expect(session.id).toMatch(/^[0-9a-f]{64}$/);
    expect(findPanelSession(store.db, token, t0 + 59_999)?.user.username).toBe("ada");
    expect(findPanelSession(store.db, token, t0 + 60_000)).toBeUndefined();
    expect(findPanelSession(store.db, `${token}x`, t0)).toBeUndefined();
  });

  it("ends a session at logout and forgets expired ones at the next login", () => {
    const old = createPanelSession(store.db, userId, { now: t0, ttlMs: 1000 });
    const live = createPanelSession(store.db, userId, { now: t0 + 5000, ttlMs: 1000 });
    expect(store.sqlite.prepare("select count(*) n from panel_sessions").get()).toEqual({ n: 1 });
    expect(findPanelSession(store.db, old.token, t0)).toBeUndefined();
    deletePanelSession(store.db, live.token);
    expect(findPanelSession(store.db, live.token, t0 + 5000)).toBeUndefined();
  });

  it("end when the user's access changes: role, password, disabled, deleted", async () => {
    const now = new Date(t0);
    const changes: [string, () => Promise<unknown>][] = [
      ["role", () => setUserRole(store.db, user, "viewer", now)],
      ["password", () => setUserPassword(store.db, user, "y".repeat(12), now)],
      ["disabled", () => setUserDisabled(store.db, user, true, now)],
      ["deleted", () => deleteUser(store.db, user)],
    ];
    for (const [what, change] of changes) {
      const { token } = createPanelSession(store.db, userId, { now: t0, ttlMs: 60_000 });
      await change();
      expect(findPanelSession(store.db, token, t0), what).toBeUndefined();
    }
    // A role set to the one held is no change: the session stays.
    const kept = await createUser(
      store.db,
      { tenantId: LOCAL_TENANT, username: "bo", password: "x".repeat(12), role: "admin" },
      now,
    );
    if (!kept) throw new Error("user not created");
    const { token } = createPanelSession(store.db, kept.id, { now: t0, ttlMs: 60_000 });
    await setUserRole(store.db, kept, "admin", now);
    expect(findPanelSession(store.db, token, t0)?.user.id).toBe(kept.id);
  });
});
