import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../db.ts";
import {
  clearLoginFailures,
  countLoginFailures,
  createPanelSession,
  deletePanelSession,
  findPanelSession,
  recordLoginFailure,
} from "./panel-sessions.ts";
import { createUser } from "./users.ts";

describe("panel sessions and login failures", () => {
  let store: Store;
  let userId: string;
  const t0 = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    store = openStore(":memory:");
    userId = (
      await createUser(store.db, { username: "ada", password: "x".repeat(12), role: "admin" })
    ).id;
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

  it("counts failures per user name within the window; a success clears them", () => {
    for (const at of [t0, t0 + 1000, t0 + 2000]) recordLoginFailure(store.db, "ada", at);
    recordLoginFailure(store.db, "bob", t0);
    expect(countLoginFailures(store.db, "ada", t0 - 1)).toBe(3);
    expect(countLoginFailures(store.db, "ada", t0 + 500)).toBe(2);
    expect(countLoginFailures(store.db, "bob", t0 - 1)).toBe(1);
    clearLoginFailures(store.db, "ada");
    expect(countLoginFailures(store.db, "ada", t0 - 1)).toBe(0);
    expect(countLoginFailures(store.db, "bob", t0 - 1)).toBe(1);
  });
});
