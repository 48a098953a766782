import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createTemplateVersion } from "../../shared/synth/store/templates.ts";
import { databasePath, openStore } from "../store/db.ts";
import { RestoreError, restoreBackup } from "./restore.ts";
import { BackupService } from "./service.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const KEY = Buffer.from(randomBytes(32).toString("hex"));
const OTHER_KEY = Buffer.from(randomBytes(32).toString("hex"));

/** A data dir with some rows, and one backup of it (encrypted with KEY unless `plain`). */
async function backedUp(plain = false) {
  const root = mkdtempSync(join(tmpdir(), "textnlp-restore-"));
  dirs.push(root);
  const dataDir = join(root, "data");
  const backupDir = join(root, "backups");
  const keyFile = join(root, "backup.key");
  writeFileSync(keyFile, KEY);
  const store = openStore(databasePath(dataDir));
  for (let i = 0; i < 5; i++)
    await createTemplateVersion(
      store.db,
      {
        tenantId: "local",
        name: `t${i}`,
        prompt: "Hello {{ name }}",
        variables: ["name"],
        params: {},
      },
      new Date(),
    );
  const service = new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: backupDir,
    keyFile: plain ? undefined : keyFile,
    keep: { hourly: 1, daily: 1, weekly: 1 },
  });
  const row = await service.run("manual");
  // Rows written after the backup: a restore must take them away again.
  await createTemplateVersion(
    store.db,
    { tenantId: "local", name: "later", prompt: "x", variables: [], params: {} },
    new Date(),
  );
  store.close();
  return { dataDir, backupDir, row };
}

const templateCount = (dataDir: string) => {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM templates").pluck().get();
  } finally {
    db.close();
  }
};

describe("restore", () => {
  it("restores an encrypted backup, verified, and keeps the previous database aside", async () => {
    const { dataDir, backupDir, row } = await backedUp();
    expect(templateCount(dataDir)).toBe(6);
    const result = await restoreBackup({
      dataDir,
      backupDir,
      keyMaterial: KEY,
      source: { id: row.id },
    });
    expect(templateCount(dataDir)).toBe(5);
    expect(result.rowCounts.templates).toBe(5);
    expect(result.previous).not.toBeNull();
    const previous = new Database(result.previous as string, { readonly: true });
    expect(previous.prepare("SELECT count(*) FROM templates").pluck().get()).toBe(6);
    previous.close();
    // The restored database opens as the daemon opens it (WAL, migrations).
    const store = openStore(databasePath(dataDir));
    expect(store.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    // The snapshot predates its own row: the restored database learns of it from the manifest.
    const service = new BackupService({
      db: store.db,
      sqlite: store.sqlite,
      dir: backupDir,
      keep: { hourly: 1, daily: 1, weekly: 1 },
    });
    expect(service.list()).toHaveLength(0);
    expect(service.adoptOrphans()).toBe(1);
    expect(service.adoptOrphans()).toBe(0);
    expect(service.list()).toMatchObject([
      { id: row.id, status: "ok", sha256: row.sha256, file: row.file },
    ]);
    store.close();
  });

  it("refuses a wrong key, a missing key and a tampered file, leaving the database as it was", async () => {
    const { dataDir, backupDir, row } = await backedUp();
    const before = readFileSync(databasePath(dataDir));
    await expect(
      restoreBackup({ dataDir, backupDir, keyMaterial: OTHER_KEY, source: { id: row.id } }),
    ).rejects.toThrow(/wrong backup key/);
    await expect(restoreBackup({ dataDir, backupDir, source: { id: row.id } })).rejects.toThrow(
      /is encrypted: configure backup.keyFile/,
    );
    const data = readFileSync(row.file);
    data[data.length - 100] = (data[data.length - 100] as number) ^ 0x40;
    writeFileSync(row.file, data);
    await expect(
      restoreBackup({ dataDir, backupDir, keyMaterial: KEY, source: { id: row.id } }),
    ).rejects.toThrow(/corrupted: its sha256 differs/);
    // Without its manifest, authenticated encryption still catches the change.
    rmSync(`${row.file}.json`);
    await expect(
      restoreBackup({ dataDir, backupDir, keyMaterial: KEY, source: { file: row.file } }),
    ).rejects.toThrow(/corrupted or was tampered with/);
    // No decrypted bytes stay behind: neither a staging file nor a partial one.
    const target = databasePath(dataDir);
    expect(readdirSync(dirname(target)).filter((f) => /restoring|partial/.test(f))).toEqual([]);
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(templateCount(dataDir)).toBe(6);
  });

  it("refuses a corrupted clear backup without its manifest by its integrity check", async () => {
    const { dataDir, backupDir, row } = await backedUp(true);
    const data = readFileSync(row.file);
    // Scribble over a page in the middle of the file (past the header page).
    randomBytes(4096).copy(data, 4096);
    writeFileSync(row.file, data);
    rmSync(`${row.file}.json`);
    let error: unknown;
    try {
      await restoreBackup({ dataDir, backupDir, source: { file: row.file } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RestoreError);
    expect(String(error)).toMatch(/failed verification|not a readable database/);
    expect(templateCount(dataDir)).toBe(6);
  });

  it("picks the newest backup before a time", async () => {
    const { dataDir, backupDir, row } = await backedUp(true);
    await expect(
      restoreBackup({ dataDir, backupDir, source: { before: new Date(row.createdAt.getTime()) } }),
    ).rejects.toThrow(/no backup taken before/);
    const result = await restoreBackup({
      dataDir,
      backupDir,
      source: { before: new Date(row.createdAt.getTime() + 1) },
    });
    expect(result.manifest?.id).toBe(row.id);
  });
});
