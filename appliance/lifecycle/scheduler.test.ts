import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { seedUsageEvent } from "../../test/helpers/store-fixtures.ts";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { databasePath, openStore } from "../store/db.ts";
import { listArchives, readArchive } from "./archive-files.ts";
import { scheduleArchiving } from "./scheduler.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("scheduled archiving", () => {
  it("archives on its cron expression, a file at a time, until nothing is expired", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "textnlp-archive-cron-"));
    dirs.push(dataDir);
    const config = loadConfig(
      { dataDir },
      { TEXTNLP_LIFECYCLE_CRON: "* * * * * *", TEXTNLP_RETAIN_USAGE_DAYS: "1" },
    );
    const store = openStore(databasePath(dataDir));
    const day = 86_400_000;
    // 2,400 expired (over a day old), 100 recent.
    for (let i = 0; i < 2500; i++)
      seedUsageEvent(store, `ue_${i}`, new Date(Date.now() - (i < 2400 ? 2 : 0.5) * day));
    const logs: { msg: string; files?: unknown[] }[] = [];
    const logger = createLogger("info", { write: (line: string) => logs.push(JSON.parse(line)) });
    const schedule = scheduleArchiving(config, store, logger);
    try {
      const deadline = Date.now() + 30_000;
      while (!logs.some((l) => l.msg === "expired rows archived") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await schedule.stop();
    }
    // Batches of 1,000 rows: three files, every expired row once, the recent ones untouched.
    const files = listArchives(dataDir, "usage");
    expect(files).toHaveLength(3);
    const ids = files.flatMap((f) => readArchive(f.path).map((l) => l.row.id));
    expect(new Set(ids).size).toBe(2400);
    expect(ids).toHaveLength(2400);
    expect(store.sqlite.prepare("SELECT count(*) FROM usage_events").pluck().get()).toBe(100);
    expect(logs.find((l) => l.msg === "expired rows archived")?.files).toHaveLength(3);
    store.close();
  }, 60_000);

  it("refuses a bad cron expression", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "textnlp-archive-cron-"));
    dirs.push(dataDir);
    const config = loadConfig({ dataDir }, { TEXTNLP_LIFECYCLE_CRON: "every day" });
    const store = openStore(databasePath(dataDir));
    expect(() => scheduleArchiving(config, store, createLogger("silent"))).toThrow(
      /lifecycle\.cron 'every day'/,
    );
    store.close();
  });
});
