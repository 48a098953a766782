import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";

describe("backup configuration", () => {
  it("defaults to half-hourly backups in <dataDir>/backups, in clear, 48/7/4 generations", () => {
    const config = loadConfig({ dataDir: "/srv/textnlp" }, {});
    expect(config.backup).toEqual({
      enabled: true,
      cron: "*/30 * * * *",
      dir: "/srv/textnlp/backups",
      keepHourly: 48,
      keepDaily: 7,
      keepWeekly: 4,
    });
  });

  it("reads the environment, with booleans spelled as words or digits", () => {
    const config = loadConfig(
      {},
      {
        TEXTNLP_DATA_DIR: "/srv/textnlp",
        TEXTNLP_BACKUP_ENABLED: "false",
        TEXTNLP_BACKUP_CRON: "*/15 * * * *",
        TEXTNLP_BACKUP_DIR: "rel/backups",
        TEXTNLP_BACKUP_KEY_FILE: "/etc/textnlp/backup.key",
        TEXTNLP_BACKUP_KEEP_HOURLY: "0",
        TEXTNLP_BACKUP_KEEP_DAILY: "3",
        TEXTNLP_BACKUP_KEEP_WEEKLY: "9",
      },
    );
    expect(config.backup).toEqual({
      enabled: false,
      cron: "*/15 * * * *",
      dir: resolve("rel/backups"),
      keyFile: "/etc/textnlp/backup.key",
      keepHourly: 0,
      keepDaily: 3,
      keepWeekly: 9,
    });
    expect(loadConfig({}, { TEXTNLP_BACKUP_ENABLED: "1" }).backup.enabled).toBe(true);
    expect(() => loadConfig({}, { TEXTNLP_BACKUP_ENABLED: "maybe" })).toThrow(/backup.enabled/);
    expect(() => loadConfig({}, { TEXTNLP_BACKUP_KEEP_DAILY: "-1" })).toThrow(/backup.keepDaily/);
  });

  it("refuses a key file inside the data directory", () => {
    expect(() =>
      loadConfig({ dataDir: "/srv/textnlp" }, { TEXTNLP_BACKUP_KEY_FILE: "/srv/textnlp/k.key" }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({ dataDir: "/srv/textnlp" }, { TEXTNLP_BACKUP_KEY_FILE: "/srv/textnlp/k.key" }),
    ).toThrow(/backup.keyFile: must live outside the data directory/);
    expect(
      loadConfig({ dataDir: "/srv/textnlp" }, { TEXTNLP_BACKUP_KEY_FILE: "/srv/textnlp-keys/k" })
        .backup.keyFile,
    ).toBe(join("/srv/textnlp-keys", "k"));
  });

  it("reads the remote store, and refuses one without a key file, saying why", () => {
    const env = {
      TEXTNLP_BACKUP_REMOTE: "s3://offsite-backups/plant-a",
      TEXTNLP_BACKUP_REMOTE_ENDPOINT: "http://minio.internal:9000",
    };
    expect(() => loadConfig({ dataDir: "/srv/textnlp" }, env)).toThrow(
      /backup.remote: offsite copies must be encrypted: set backup.keyFile/,
    );
    const config = loadConfig(
      { dataDir: "/srv/textnlp" },
      { ...env, TEXTNLP_BACKUP_KEY_FILE: "/etc/textnlp/backup.key" },
    );
    expect(config.backup.remote).toEqual({
      url: "s3://offsite-backups/plant-a",
      endpoint: "http://minio.internal:9000",
      region: "us-east-1",
      pathStyle: true,
      partSizeMiB: 8,
      attempts: 4,
      retryBaseMs: 2000,
    });
    expect(() =>
      loadConfig({}, { TEXTNLP_BACKUP_REMOTE: "https://not-s3", TEXTNLP_BACKUP_KEY_FILE: "/k" }),
    ).toThrow(/backup.remote.url: must be s3:\/\/bucket\/prefix/);
  });
});
