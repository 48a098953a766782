import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createTemplateVersion, listLatestTemplates } from "../../shared/synth/store/templates.ts";
import { erasuresPending } from "../lifecycle/erasure-log.ts";
import { databasePath, openStore } from "../store/db.ts";
import {
  applyPendingRestore,
  RESTART_EXIT_CODE,
  readPendingRestore,
  readRestoreOutcome,
  requestRestore,
} from "./pending-restore.ts";
import { BackupService } from "./service.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const template = (name: string) => ({
  tenantId: "local",
  name,
  prompt: "Hello {{ name }}",
  variables: ["name"],
  params: {},
});

/** A data dir with template `before`, a backup of it, then template `after`. */
async function backedUp() {
  const root = mkdtempSync(join(tmpdir(), "textnlp-pending-"));
  dirs.push(root);
  const dataDir = join(root, "data");
  const backupDir = join(root, "backups");
  const store = openStore(databasePath(dataDir));
  await createTemplateVersion(store.db, template("before"), new Date());
  const service = new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: backupDir,
    keep: { hourly: 1, daily: 1, weekly: 1 },
  });
  const backup = await service.run("manual");
  await createTemplateVersion(store.db, template("after"), new Date());
  store.close();
  const request = {
    backupId: backup.id,
    backupCreatedAt: backup.createdAt.toISOString(),
    requestedAt: new Date().toISOString(),
    requestedBy: "admin",
  };
  return { dataDir, backupDir, backup, request };
}

const templates = async (dataDir: string) => {
  const store = openStore(databasePath(dataDir));
  try {
    return (await listLatestTemplates(store.db, "local")).map((t) => t.name).sort();
  } finally {
    store.close();
  }
};

describe("a restore asked for from the panel, applied at start", () => {
  it("does nothing when none is pending", async () => {
    const { dataDir, backupDir } = await backedUp();
    expect(await applyPendingRestore({ dataDir, backupDir })).toBeNull();
    expect(readRestoreOutcome(dataDir)).toBeNull();
    expect(await templates(dataDir)).toEqual(["after", "before"]);
  });

  it("restores the backup, records the outcome, clears the request, marks erasures for replay", async () => {
    const { dataDir, backupDir, request } = await backedUp();
    requestRestore(dataDir, request);
    expect(readPendingRestore(dataDir)).toEqual(request);
    const outcome = await applyPendingRestore({ dataDir, backupDir });
    expect(outcome).toMatchObject({ ...request, ok: true, error: null });
    expect(outcome?.previous && existsSync(outcome.previous)).toBe(true);
    expect(readRestoreOutcome(dataDir)).toEqual(outcome);
    expect(readPendingRestore(dataDir)).toBeNull();
    // The daemon replays the erasure log once it has opened the restored database.
    expect(erasuresPending(dataDir)).toBe(true);
    expect(await templates(dataDir)).toEqual(["before"]);
  });

  it("keeps the current database when the backup is damaged, says why, and does not retry", async () => {
    const { dataDir, backupDir, backup, request } = await backedUp();
    const bytes = readFileSync(backup.file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    writeFileSync(backup.file, bytes);
    requestRestore(dataDir, request);
    const outcome = await applyPendingRestore({ dataDir, backupDir });
    expect(outcome).toMatchObject({ ok: false, backupId: backup.id, previous: null });
    expect(outcome?.error).toMatch(/corrupted/);
    expect(readRestoreOutcome(dataDir)).toEqual(outcome);
    expect(readPendingRestore(dataDir)).toBeNull();
    expect(erasuresPending(dataDir)).toBe(false);
    // The daemon starts on the database it had, with everything in it.
    expect(await templates(dataDir)).toEqual(["after", "before"]);
    expect(await applyPendingRestore({ dataDir, backupDir })).toBeNull();
  });

  it("records a failure for a backup that is gone, or a request it cannot read", async () => {
    const { dataDir, backupDir, request } = await backedUp();
    requestRestore(dataDir, { ...request, backupId: "bk_missing" });
    expect((await applyPendingRestore({ dataDir, backupDir }))?.error).toMatch(/no backup with id/);
    writeFileSync(join(dataDir, "restore-pending.json"), "{not json");
    expect(await applyPendingRestore({ dataDir, backupDir })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/unreadable/),
    });
    expect(await templates(dataDir)).toEqual(["after", "before"]);
  });
});

describe("the restart that applies it", () => {
  it("exits with a status the systemd unit restarts on", () => {
    const unit = readFileSync(
      fileURLToPath(new URL("../../systemd/textnlp-appliance.service", import.meta.url)),
      "utf8",
    );
    const setting = (name: string) =>
      [...unit.matchAll(new RegExp(`^${name}=(.*)$`, "gm"))].map((m) => (m[1] as string).trim());
    // on-failure and always restart a service that exited with a non-zero status…
    expect(setting("Restart")).toEqual([expect.stringMatching(/^(on-failure|always)$/)]);
    // …unless the unit names it as one not to restart on.
    const prevented = setting("RestartPreventExitStatus").flatMap((v) => v.split(/\s+/));
    expect(prevented).not.toContain(String(RESTART_EXIT_CODE));
    expect(RESTART_EXIT_CODE).not.toBe(0);
  });
});
