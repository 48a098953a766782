import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runCli, startAppliance, TINY_RANDOM_MODEL, tempDataDir } from "../helpers/appliance.ts";
import { raw } from "../helpers/envelope.ts";

type Manifest = { id: string; file: string; rowCounts: Record<string, number>; encrypted: boolean };

describe("appliance backups", () => {
  it("a backup taken during writes restores to a consistent database; a wrong key and a running daemon are refused", async () => {
    const root = tempDataDir();
    const dataDir = join(root, "data");
    const backupDir = join(root, "backups");
    const keyFile = join(root, "backup.key");
    const otherKeyFile = join(root, "other.key");
    writeFileSync(keyFile, randomBytes(32).toString("base64"));
    writeFileSync(otherKeyFile, randomBytes(32).toString("base64"));
    const env = { TEXTNLP_BACKUP_DIR: backupDir, TEXTNLP_BACKUP_KEY_FILE: keyFile };
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli([...args, "--data-dir", dataDir], { env: { ...env, ...extra } });
    try {
      const appliance = await startAppliance({
        dataDir,
        args: ["--model", TINY_RANDOM_MODEL],
        // Every second, so several scheduled backups land in the middle of the writes.
        env: { ...env, TEXTNLP_BACKUP_CRON: "* * * * * *" },
      });
      // One sequential writer: committed rows are always a prefix of the acknowledged ones.
      const acked: string[] = [];
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          const res = await raw(`${appliance.url}/v1/templates`, {
            method: "POST",
            json: { name: `w${i}`, prompt: "Row {{ n }}: {{ text }}" },
          });
          if (res.status !== 201)
            throw new Error(
              `write ${i}: ${JSON.stringify(res.body)}; errors logged: ${JSON.stringify(
                appliance.logs.filter((l) => Number(l.level) >= 50),
              )}`,
            );
          acked.push(`w${i}`);
        }
      })();
      const backupsDone = () => appliance.logs.filter((l) => l.msg === "backup done").length;
      while (backupsDone() < 3 || acked.length < 50) await new Promise((r) => setTimeout(r, 50));
      // A manual backup from another process, also during the writes.
      const manual = await cli(["backup", "now", "--json"]);
      expect(manual.code, manual.stderr).toBe(0);
      expect(JSON.parse(manual.stdout)).toMatchObject({ status: "ok", encrypted: true });
      const refused = await cli(["restore", "--before", new Date().toISOString()]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(`appliance is running \\(pid ${appliance.proc.pid}\\).*stop it first`),
      );
      writing = false;
      await writer;
      expect(await appliance.stop()).toBe(0);
      expect(existsSync(join(dataDir, "appliance.pid"))).toBe(false);

      const manifests = readdirSync(backupDir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(readFileSync(join(backupDir, f), "utf8")) as Manifest);
      expect(manifests.length).toBeGreaterThanOrEqual(4);
      const listed = await cli(["backup", "list", "--json"]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(
        (JSON.parse(listed.stdout) as { id: string; status: string }[])
          .filter((b) => b.status === "ok")
          .map((b) => b.id)
          .sort(),
      ).toEqual(manifests.map((m) => m.id).sort());
      // A backup taken while rows were being written, not before the first or after the last.
      const midway = manifests.find(
        (m) => (m.rowCounts.templates ?? 0) > 0 && (m.rowCounts.templates ?? 0) < acked.length,
      );
      expect(midway, JSON.stringify(manifests.map((m) => m.rowCounts.templates))).toBeDefined();
      const id = (midway as Manifest).id;
      const raw0 = readFileSync(join(backupDir, (midway as Manifest).file));
      expect(raw0.subarray(0, 7).toString()).toBe("TNLPBAK");

      const wrongKey = await cli(["restore", id], { TEXTNLP_BACKUP_KEY_FILE: otherKeyFile });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toMatch(/restore refused: .*wrong backup key/);

      const restored = await cli(["restore", id]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/integrity ok, row counts verified/);
      expect(restored.stdout).toMatch(/previous database is kept at .*before-restore-/);

      const db = new Database(join(dataDir, "textnlp.sqlite"), { readonly: true });
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const names = db.prepare("SELECT name FROM templates").pluck().all() as string[];
      db.close();
      const count = (midway as Manifest).rowCounts.templates as number;
      expect(names.length).toBe(count);
      expect(new Set(names)).toEqual(new Set(acked.slice(0, count)));

      // The daemon starts on the restored database and serves exactly those rows.
      const again = await startAppliance({ dataDir, args: ["--model", TINY_RANDOM_MODEL], env });
      try {
        const list = await raw(`${again.url}/v1/templates`);
        expect(list.status).toBe(200);
        expect((list.body.data as unknown[]).length).toBe(count);
      } finally {
        expect(await again.stop()).toBe(0);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
