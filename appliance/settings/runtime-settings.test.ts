import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { retentionFor } from "../backup/from-config.ts";
import { BackupService } from "../backup/service.ts";
import { loadConfig } from "../config.ts";
import { hotWindows } from "../lifecycle/scheduler.ts";
import { openStore, type Store } from "../store/db.ts";
import { configView } from "./config-view.ts";
import { changeSettings, effectiveSettings, SettingsChange } from "./runtime-settings.ts";

const stores: Store[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store() {
  const s = openStore(":memory:");
  stores.push(s);
  return s;
}

const byKey = (config: ReturnType<typeof loadConfig>, s: Store) =>
  Object.fromEntries(effectiveSettings(config, s.db).map((e) => [e.key, e]));

describe("runtime settings", () => {
  it("say whether a value is the default, the configuration's or the panel's", () => {
    const config = loadConfig({ dataDir: "/srv/t" }, { TEXTNLP_BACKUP_KEEP_DAILY: "3" });
    const s = store();
    changeSettings(s.db, { "backup.keepWeekly": 9 }, "admin");
    const e = byKey(config, s);
    expect(e["backup.keepHourly"]).toMatchObject({ value: 48, source: "default" });
    expect(e["backup.keepDaily"]).toMatchObject({ value: 3, source: "config", configValue: 3 });
    expect(e["backup.keepWeekly"]).toMatchObject({
      value: 9,
      source: "panel",
      configValue: 4,
      defaultValue: 4,
      updatedBy: "admin",
    });
    expect(retentionFor(config, s.db)).toEqual({ hourly: 48, daily: 3, weekly: 9 });
  });

  it("go back to the configuration when set to null", () => {
    const config = loadConfig({ dataDir: "/srv/t" }, {});
    const s = store();
    changeSettings(s.db, { "lifecycle.usageDays": 7, "lifecycle.auditDays": 30 }, "admin");
    expect(hotWindows(config, s.db)).toEqual({ generations: 90, usage: 7, audit: 30 });
    changeSettings(s.db, { "lifecycle.usageDays": null }, "admin");
    expect(hotWindows(config, s.db)).toEqual({ generations: 90, usage: 90, audit: 30 });
  });

  it("accept only whitelisted keys, with the configuration's bounds, as numbers", () => {
    const field = (body: unknown) => {
      const parsed = SettingsChange.safeParse(body);
      return parsed.success ? "ok" : parsed.error.issues[0]?.path.join(".") || "(keys)";
    };
    expect(field({ "backup.keepHourly": 0, "lifecycle.generationsDays": 365 })).toBe("ok");
    expect(field({ "backup.keepHourly": -1 })).toBe("backup.keepHourly");
    expect(field({ "backup.keepDaily": 1.5 })).toBe("backup.keepDaily");
    expect(field({ "backup.keepDaily": "3" })).toBe("backup.keepDaily");
    expect(field({ host: "0.0.0.0" })).toBe("(keys)");
  });

  it("ignore a stored value that no longer validates", () => {
    const config = loadConfig({ dataDir: "/srv/t" }, {});
    const s = store();
    s.sqlite
      .prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)")
      .run("backup.keepHourly", JSON.stringify(-5), Date.now());
    expect(byKey(config, s)["backup.keepHourly"]).toMatchObject({ value: 48, source: "default" });
  });

  it("are what the backup service prunes with, read at every prune", async () => {
    const dir = mkdtempSync(join(tmpdir(), "textnlp-settings-"));
    dirs.push(dir);
    const config = loadConfig({ dataDir: join(dir, "data") }, {});
    const s = openStore(join(dir, "data", "textnlp.sqlite"));
    stores.push(s);
    let now = new Date("2026-03-02T00:30:00Z");
    const service = new BackupService({
      db: s.db,
      sqlite: s.sqlite,
      dir: join(dir, "backups"),
      keep: () => retentionFor(config, s.db),
      now: () => now,
    });
    const okHourly = () =>
      service.list().filter((b) => b.kind === "hourly" && b.status === "ok").length;
    // The week's (and day's) first is weekly, then five hourly: the default keeps 24 hourly.
    for (let hour = 0; hour < 6; hour++) {
      now = new Date(Date.UTC(2026, 2, 2, hour, 30));
      await service.run("scheduled");
    }
    expect(okHourly()).toBe(5);
    changeSettings(s.db, { "backup.keepHourly": 2 }, "admin");
    now = new Date(Date.UTC(2026, 2, 2, 6, 30));
    await service.run("scheduled");
    expect(okHourly()).toBe(2);
  });
});

describe("configView", () => {
  it("shows secrets only as set / not set", () => {
    const config = loadConfig(
      { dataDir: "/srv/t" },
      {
        TEXTNLP_API_KEY: "sk-secret-0123456789abcdef",
        TEXTNLP_BACKUP_KEY_FILE: "/etc/textnlp/backup.key",
        TEXTNLP_LINK_PROXY: "http://user:hunter2@proxy:3128",
      },
    );
    const rows = Object.fromEntries(configView(config).map((r) => [r.key, r]));
    expect(rows.apiKey).toEqual({ key: "apiKey", value: "set", env: "TEXTNLP_API_KEY" });
    expect(rows["backup.keyFile"]?.value).toBe("set");
    expect(rows["link.proxy"]?.value).toBe("set");
    expect(rows["tls.key"]?.value).toBe("not set");
    expect(rows.port).toEqual({ key: "port", value: "8080", env: "TEXTNLP_PORT" });
    const text = JSON.stringify(configView(config));
    expect(text).not.toContain("sk-secret");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain('backup.key"');
    expect(rows["backup.keepHourly"]).toBeUndefined();
  });
});
