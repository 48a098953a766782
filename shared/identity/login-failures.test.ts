/**
 * The sign-in throttle on better-sqlite3 (the appliance's driver; test/libsql runs it on
 * libSQL), and the migration that moved the panel's old failure rows into it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { describe, expect, it } from "vitest";
import { clearLoginFailures, lockedUntil, recordLoginFailure } from "./login-failures.ts";

const folder = fileURLToPath(new URL("../db/migrations", import.meta.url));
const migrations = readdirSync(folder)
  .filter((f) => f.endsWith(".sql"))
  .sort();
const MOVE = migrations.findIndex((f) => f.endsWith("_identity_login_failures.sql"));

/** Applies the migration files `from` (inclusive) to `to` (exclusive). */
function apply(sqlite: Database.Database, from: number, to: number): void {
  for (const file of migrations.slice(from, to))
    for (const statement of readFileSync(`${folder}/${file}`, "utf8").split(
      "--> statement-breakpoint",
    ))
      if (statement.trim()) sqlite.exec(statement);
}

describe("the sign-in throttle on better-sqlite3", () => {
  it("locks a name after the failures in a row, per tenant, and a success clears them", async () => {
    const sqlite = new Database(":memory:");
    apply(sqlite, 0, migrations.length);
    const db = drizzle(sqlite);
    const now = new Date(Date.UTC(2026, 0, 1));
    const policy = { maxFailures: 2, lockMs: 30_000 };
    expect(await recordLoginFailure(db, "local", "ada", policy, now)).toBeNull();
    await clearLoginFailures(db, "local", "ada");
    expect(await recordLoginFailure(db, "local", "ada", policy, now)).toBeNull();
    expect(await recordLoginFailure(db, "other", "ada", policy, now)).toBeNull();
    const until = await recordLoginFailure(db, "local", "ada", policy, now);
    expect(until).toEqual(new Date(now.getTime() + 30_000));
    expect(await lockedUntil(db, "local", "ada", now)).toEqual(until);
    expect(await lockedUntil(db, "other", "ada", now)).toBeNull();
    expect(await lockedUntil(db, "local", "ada", new Date(now.getTime() + 30_000))).toBeNull();
    sqlite.close();
  });

  it("took over the panel's failures when the two tables became one", () => {
    expect(MOVE).toBeGreaterThan(0);
    const sqlite = new Database(":memory:");
    apply(sqlite, 0, MOVE);
    const insert = sqlite.prepare("INSERT INTO panel_login_failures (username, at) VALUES (?, ?)");
    for (const at of [1000, 2000, 3000]) insert.run("ada", at);
    insert.run("bob", 5000);
    apply(sqlite, MOVE, migrations.length);
    expect(
      sqlite
        .prepare(
          "SELECT tenant_id, username, failures, locked_until, updated_at FROM login_failures ORDER BY username",
        )
        .all(),
    ).toEqual([
      { tenant_id: "local", username: "ada", failures: 3, locked_until: null, updated_at: 3000 },
      { tenant_id: "local", username: "bob", failures: 1, locked_until: null, updated_at: 5000 },
    ]);
    const tables = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE name = 'panel_login_failures'")
      .all();
    expect(tables).toEqual([]);
    sqlite.close();
  });
});
