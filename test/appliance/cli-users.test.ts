/**
 * `textnlp-appliance users` end to end (real processes, real SQLite): role changes, disable /
 * enable, password reset and delete keep an active admin, and each change lands in the audit
 * log as the command line's actor, without the password.
 */

import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { databasePath } from "../../appliance/store/db.ts";
import { verifyPassword } from "../../shared/auth/password.ts";
import { runCli, tempDataDir } from "../helpers/appliance.ts";

const PASSWORD = "correct-horse-battery";
const NEW_PASSWORD = "another-long-password";

describe("textnlp-appliance users", () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (args: string[], input = "") =>
    runCli(["users", ...args, "--data-dir", dataDir], { input });
  const query = <T>(sql: string) => {
    const db = new Database(databasePath(dataDir), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };

  it("keeps an active admin, and records every change", { timeout: 180_000 }, async () => {
    expect((await cli(["create", "root", "--admin", "--password-stdin"], PASSWORD)).code).toBe(0);
    for (const args of [
      ["role", "root", "viewer"],
      ["disable", "root"],
      ["delete", "root"],
    ]) {
      const refused = await cli(args);
      expect(refused.code, args.join(" ")).toBe(1);
      expect(refused.stderr).toContain("this is the last active admin");
    }
    expect((await cli(["create", "ops", "--admin", "--password-stdin"], PASSWORD)).code).toBe(0);
    expect((await cli(["disable", "root"])).code).toBe(0);
    // ops is now the only active admin.
    expect((await cli(["role", "ops", "developer"])).stderr).toContain("last active admin");
    const listed = JSON.parse((await cli(["list", "--json"])).stdout) as {
      username: string;
      disabled: string | null;
    }[];
    expect(listed.find((u) => u.username === "root")?.disabled).toEqual(expect.any(String));
    expect((await cli(["enable", "root"])).code).toBe(0);
    expect((await cli(["role", "ops", "viewer"])).code).toBe(0);

    expect((await cli(["passwd", "ops", "--password-stdin"], "short")).code).toBe(2);
    expect((await cli(["passwd", "ops", "--password-stdin"], NEW_PASSWORD)).code).toBe(0);
    const [ops] = query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE username = 'ops'",
    );
    expect(await verifyPassword(NEW_PASSWORD, ops?.password_hash ?? "")).toBe(true);
    expect((await cli(["delete", "ops"])).code).toBe(0);
    expect((await cli(["delete", "ops"])).stderr).toContain("no user 'ops'");

    const audit = query<{ action: string; actor_kind: string; actor_id: string; detail: string }>(
      "SELECT * FROM audit_log ORDER BY created_at, rowid",
    );
    expect(audit.map((row) => row.action)).toEqual([
      "user.create",
      "user.create",
      "user.disable",
      "user.enable",
      "user.role_change",
      "user.password_reset",
      "user.delete",
    ]);
    expect(new Set(audit.map((row) => `${row.actor_kind} ${row.actor_id.split(":")[0]}`))).toEqual(
      new Set(["system cli"]),
    );
    expect(JSON.parse(audit[4]?.detail ?? "{}")).toEqual({
      username: "ops",
      from: "admin",
      to: "viewer",
    });
    const text = JSON.stringify(audit);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(NEW_PASSWORD);
  });
});
