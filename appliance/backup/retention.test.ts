import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/db.ts";
import { scheduledKind } from "./retention.ts";
import { BackupService } from "./service.ts";

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(keep: { hourly: number; daily: number; weekly: number }) {
  const dir = mkdtempSync(join(tmpdir(), "textnlp-retention-"));
  dirs.push(dir);
  const store = openStore(join(dir, "data", "textnlp.sqlite"));
  stores.push(store);
  let now = new Date("2026-03-02T00:30:00Z"); // a Monday
  const service = new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: join(dir, "backups"),
    keep,
    now: () => now,
  });
  return {
    service,
    backupDir: join(dir, "backups"),
    setNow: (d: Date) => {
      now = d;
    },
  };
}

describe("scheduledKind", () => {
  it("makes the week's first backup weekly and each other day's first daily", () => {
    const at = (iso: string) => new Date(iso);
    const weekly = {
      id: "w",
      kind: "weekly" as const,
      status: "ok",
      createdAt: at("2026-03-02T00:00:00Z"),
    };
    expect(scheduledKind(at("2026-03-02T00:00:00Z"), [])).toBe("weekly");
    expect(scheduledKind(at("2026-03-02T05:00:00Z"), [weekly])).toBe("hourly");
    expect(scheduledKind(at("2026-03-03T00:00:00Z"), [weekly])).toBe("daily");
    // Sunday is still the same week; the next Monday starts a new one.
    expect(scheduledKind(at("2026-03-08T23:00:00Z"), [weekly])).toBe("daily");
    expect(scheduledKind(at("2026-03-09T00:00:00Z"), [weekly])).toBe("weekly");
    // A failed weekly does not count.
    expect(scheduledKind(at("2026-03-02T05:00:00Z"), [{ ...weekly, status: "failed" }])).toBe(
      "weekly",
    );
  });
});

describe("retention", () => {
  it("keeps exactly the configured generations, files and rows alike", async () => {
    const keep = { hourly: 3, daily: 2, weekly: 2 };
    const { service, setNow, backupDir } = setup(keep);
    const start = Date.parse("2026-03-02T00:30:00Z");
    // Every 6 hours for 17 days: weeks of 2026-03-02, 03-09 and 03-16.
    const taken: { id: string; kind: string; at: number }[] = [];
    for (let i = 0; i < 17 * 4; i++) {
      const at = start + i * 6 * 3_600_000;
      setNow(new Date(at));
      const row = await service.run("scheduled");
      taken.push({ id: row.id, kind: row.kind, at });
    }
    const manual = await service.run("manual");

    // Independent expectation: first backup of each Monday-week weekly, first of each day
    // daily, the rest hourly; newest N of each kind survive.
    const expectedKind = (i: number) =>
      i % 28 === 0 ? "weekly" : i % 4 === 0 ? "daily" : "hourly";
    expect(taken.map((t) => t.kind)).toEqual(taken.map((_, i) => expectedKind(i)));
    const newest = (kind: string, n: number) =>
      taken
        .filter((t) => t.kind === kind)
        .slice(-n)
        .map((t) => t.id);
    const kept = new Set([
      ...newest("hourly", 3),
      ...newest("daily", 2),
      ...newest("weekly", 2),
      manual.id,
    ]);
    expect(kept.size).toBe(3 + 2 + 2 + 1);

    const rows = service.list();
    expect(new Set(rows.filter((r) => r.status === "ok").map((r) => r.id))).toEqual(kept);
    expect(rows.filter((r) => r.status === "pruned")).toHaveLength(taken.length + 1 - kept.size);
    for (const row of rows) expect(existsSync(row.file)).toBe(row.status === "ok");
    // Nothing else is left in the directory: each kept backup is its file and manifest.
    expect(readdirSync(backupDir).sort()).toEqual(
      rows
        .filter((r) => r.status === "ok")
        .flatMap((r) => [r.file, `${r.file}.json`])
        .map((f) => f.slice(backupDir.length + 1))
        .sort(),
    );
  }, 60_000); // dozens of fsynced backups: slow on a busy machine
});
