import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { openStore } from "../store/db.ts";
import { pidFilePath, runningDaemonPid, writePidFile } from "../store/pid-file.ts";
import { BackupScheduleError, scheduleBackups } from "./scheduler.ts";
import { BackupService } from "./service.ts";

describe("daemon pid file", () => {
  it("reports a live daemon, ignores a dead one's leftover file, and removes only its own", () => {
    const dir = mkdtempSync(join(tmpdir(), "textnlp-pid-"));
    try {
      expect(runningDaemonPid(dir)).toBeNull();
      // A live process that is not us (our own pid is never "another daemon").
      writeFileSync(pidFilePath(dir), `${process.ppid}\n`);
      expect(runningDaemonPid(dir)).toBe(process.ppid);
      // A process that has exited: a crashed daemon's file does not block a restore.
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid as number;
      writeFileSync(pidFilePath(dir), `${dead}\n`);
      expect(runningDaemonPid(dir)).toBeNull();
      const remove = writePidFile(dir);
      writeFileSync(pidFilePath(dir), `${process.ppid}\n`);
      remove();
      expect(runningDaemonPid(dir)).toBe(process.ppid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("backup schedule", () => {
  it("refuses an invalid cron expression by name", () => {
    const store = openStore(":memory:");
    try {
      const service = new BackupService({
        db: store.db,
        sqlite: store.sqlite,
        dir: tmpdir(),
        keep: { hourly: 1, daily: 1, weekly: 1 },
      });
      const logger = pino({ level: "silent" });
      expect(() => scheduleBackups(service, "every hour", logger)).toThrow(BackupScheduleError);
      expect(() => scheduleBackups(service, "61 * * * *", logger)).toThrow(
        /backup.cron '61 \* \* \* \*' is not a valid cron expression/,
      );
    } finally {
      store.close();
    }
  });
});
