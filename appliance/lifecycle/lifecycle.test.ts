import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, seedRows, seedSets } from "../../shared/db/schema/index.ts";
import { seedJob as seedJobRows, seedUsageEvent } from "../../test/helpers/store-fixtures.ts";
import { restoreBackup } from "../backup/restore.ts";
import { BackupService } from "../backup/service.ts";
import { databasePath, openStore, type Store } from "../store/db.ts";
import { listArchives, readArchive, writePendingArchive } from "./archive-files.ts";
import { archiveExpired, type HotWindows } from "./archiver.ts";
import { eraseData, reapplyErasures } from "./erasure.ts";
import { erasuresPending, readErasureLog } from "./erasure-log.ts";
import type { ArchiveLine } from "./kinds.ts";

const DAY = 86_400_000;
const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const WINDOWS: HotWindows = { generations: 30, usage: 7, audit: 90 };
const ALICE = "alice@example.com";
/** Alice's address standing alone (not inside `jimalice@example.com`), any case. */
const mentionsAlice = (text: string) => /(?<![\p{L}\p{N}_])alice@example\.com/iu.test(text);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDataDir(): string {
  const root = mkdtempSync(join(tmpdir(), "textnlp-lifecycle-"));
  dirs.push(root);
  return join(root, "data");
}

/** A job whose samples write to the people in upper case and with quotes (JSON escaping). */
const seedJob = (store: Store, opts: Parameters<typeof seedJobRows>[1]) =>
  seedJobRows(store, {
    ...opts,
    output: (email) => `Dear customer, we wrote to ${email.toUpperCase()} about "your order".`,
  });

function seedLogs(store: Store): void {
  for (const [i, age] of [1, 5, 8, 20, 100, 400].entries()) {
    seedUsageEvent(store, `ue_${i}`, daysAgo(age), 10 + i);
    store.db
      .insert(auditLog)
      .values({
        id: `al_${i}`,
        tenantId: "local",
        actorKind: "user",
        actorId: i % 2 ? "usr_admin" : ALICE,
        action: "api_key.create",
        target: `api_key:k${i}`,
        detail: { note: i === 4 ? `requested by ${ALICE}` : "routine" },
        createdAt: daysAgo(age),
      })
      .run();
  }
}

/** A data directory with old and recent generations, logs and seed rows. */
async function populated(): Promise<{ dataDir: string; store: Store }> {
  const dataDir = freshDataDir();
  const store = openStore(databasePath(dataDir));
  await seedJob(store, {
    id: "job_old",
    finished: daysAgo(60),
    people: [ALICE, "bob@example.com"],
  });
  await seedJob(store, { id: "job_old2", finished: daysAgo(45), people: ["jimalice@example.com"] });
  await seedJob(store, {
    id: "job_recent",
    finished: daysAgo(3),
    people: ["Alice@Example.com", "carol@example.com"],
  });
  await seedJob(store, { id: "job_running", finished: null, people: [ALICE] });
  await seedJob(store, {
    id: "job_acme",
    tenant: "acme",
    finished: daysAgo(50),
    people: ["dan@acme.test"],
  });
  store.db
    .insert(seedSets)
    .values({
      id: "ss_1",
      tenantId: "local",
      name: "people",
      format: "jsonl",
      rowCount: 2,
      columns: ["email"],
    })
    .run();
  store.db
    .insert(seedRows)
    .values([
      { setId: "ss_1", rowIndex: 0, variables: { email: ALICE } },
      { setId: "ss_1", rowIndex: 1, variables: { email: "erin@example.com" } },
    ])
    .run();
  seedLogs(store);
  return { dataDir, store };
}

const ARCHIVED = ["jobs", "job_rows", "samples", "usage_events", "audit_log"] as const;
const keyOf = (table: string, row: Record<string, unknown>) =>
  `${table}:${table === "job_rows" ? `${row.job_id}/${row.row_index}` : row.id}`;

function snapshot(sqlite: Database.Database): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const table of ARCHIVED)
    for (const row of sqlite.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[])
      out.set(keyOf(table, row), row);
  return out;
}

function archivedLines(dataDir: string): ArchiveLine[] {
  return listArchives(dataDir).flatMap((f) => readArchive(f.path));
}

/** Every table and every archive, as text, for "no trace" checks. */
function everything(sqlite: Database.Database, dataDir: string): string {
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  const rows = tables.map(({ name }) =>
    JSON.stringify(sqlite.prepare(`SELECT * FROM "${name}"`).all()),
  );
  const archives = listArchives(dataDir).map((f) => gunzipSync(readFileSync(f.path)).toString());
  return [...rows, ...archives].join("\n");
}

describe("archiving", () => {
  it("moves exactly the rows past their hot window into archives, and only once", async () => {
    const { dataDir, store } = await populated();
    const before = snapshot(store.sqlite);
    const result = archiveExpired({
      sqlite: store.sqlite,
      dataDir,
      windows: WINDOWS,
      now: () => NOW,
      batchSize: 2,
    });
    const after = snapshot(store.sqlite);

    const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
    const lines = archivedLines(dataDir);
    const archivedKeys = lines.map((l) => keyOf(l.table, l.row)).sort();
    expect(archivedKeys).toEqual(removed);
    for (const line of lines) expect(line.row).toEqual(before.get(keyOf(line.table, line.row)));

    // What the windows say: finished jobs over 30 days (not the running one), usage over 7, audit over 90.
    const jobsArchived = lines
      .filter((l) => l.table === "jobs")
      .map((l) => l.row.id)
      .sort();
    expect(jobsArchived).toEqual(["job_acme", "job_old", "job_old2"]);
    expect(
      lines
        .filter((l) => l.table === "usage_events")
        .map((l) => l.row.id)
        .sort(),
    ).toEqual(["ue_2", "ue_3", "ue_4", "ue_5"]);
    expect(
      lines
        .filter((l) => l.table === "audit_log")
        .map((l) => l.row.id)
        .sort(),
    ).toEqual(["al_4", "al_5"]);
    expect(lines.filter((l) => l.table === "samples")).toHaveLength(4);
    expect(lines.find((l) => l.row.id === "job_acme")?.tenant).toBe("acme");
    // Batches of 2 jobs / 2 rows: several files, each gzip JSONL.
    expect(result.files.length).toBeGreaterThanOrEqual(4);

    const again = archiveExpired({
      sqlite: store.sqlite,
      dataDir,
      windows: WINDOWS,
      now: () => NOW,
    });
    expect(again.files).toEqual([]);
    expect(archivedLines(dataDir)).toHaveLength(lines.length);
    store.close();
  });

  it("finishes an archive a crash left pending without losing or duplicating rows", async () => {
    const { dataDir, store } = await populated();
    // As if the archiver died after writing its file but before its delete committed.
    const rows = store.sqlite
      .prepare("SELECT * FROM usage_events WHERE id IN ('ue_4', 'ue_5')")
      .all() as Record<string, unknown>[];
    const pending = writePendingArchive(
      dataDir,
      "usage",
      NOW,
      rows.map((row) => ({ table: "usage_events", tenant: "local", row })),
    );
    writeFileSync(join(dataDir, "archive", "usage", "torn.jsonl.gz.partial"), "half");
    const result = archiveExpired({
      sqlite: store.sqlite,
      dataDir,
      windows: WINDOWS,
      now: () => NOW,
    });

    expect(result.recovered).toBe(1);
    expect(existsSync(pending)).toBe(false);
    expect(readdirSync(join(dataDir, "archive", "usage")).some((n) => n.endsWith(".partial"))).toBe(
      false,
    );
    const usage = archivedLines(dataDir)
      .filter((l) => l.table === "usage_events")
      .map((l) => l.row.id)
      .sort();
    expect(usage).toEqual(["ue_2", "ue_3", "ue_4", "ue_5"]);
    expect(store.sqlite.prepare("SELECT id FROM usage_events ORDER BY id").pluck().all()).toEqual([
      "ue_0",
      "ue_1",
    ]);
    store.close();
  });
});

describe("erasure", () => {
  it("leaves no trace of a subject in tables, archives or the database files", async () => {
    const { dataDir, store } = await populated();
    archiveExpired({ sqlite: store.sqlite, dataDir, windows: WINDOWS, now: () => NOW });
    expect(mentionsAlice(everything(store.sqlite, dataDir))).toBe(true);

    const result = eraseData({
      sqlite: store.sqlite,
      dataDir,
      target: { subject: ALICE },
      now: () => NOW,
    });
    const text = everything(store.sqlite, dataDir);
    expect(mentionsAlice(text)).toBe(false);
    expect(result.archiveLines).toBeGreaterThan(0);
    expect(result.tables.samples).toBeGreaterThan(0);
    // Look-alikes stay: another address containing it, and other people.
    expect(text).toContain("jimalice@example.com");
    expect(text).toContain("bob@example.com");
    expect(text).toContain("erin@example.com");
    // Recorded in the audit log without the identifier itself.
    const audit = store.sqlite
      .prepare("SELECT * FROM audit_log WHERE action = 'subject.erase'")
      .all() as { target: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]?.target).toMatch(/^subject:sha256:[0-9a-f]{16}$/);
    expect(readErasureLog(dataDir).map((e) => e.target)).toEqual([{ subject: ALICE }]);
    expect(erasuresPending(dataDir)).toBe(false);

    store.close();
    const db = databasePath(dataDir);
    for (const file of [db, `${db}-wal`])
      if (existsSync(file))
        expect(mentionsAlice(readFileSync(file).toString("latin1"))).toBe(false);
  });

  it("is re-applied after restoring a backup taken before it", async () => {
    const { dataDir, store } = await populated();
    const backupDir = join(dataDir, "..", "backups");
    // Taken before archiving too: the restored copy holds rows that are archived by now.
    const backups = new BackupService({
      db: store.db,
      sqlite: store.sqlite,
      dir: backupDir,
      keep: { hourly: 1, daily: 1, weekly: 1 },
    });
    const backup = await backups.run("manual");
    archiveExpired({ sqlite: store.sqlite, dataDir, windows: WINDOWS, now: () => NOW });
    const archivedBefore = archivedLines(dataDir).length;
    eraseData({ sqlite: store.sqlite, dataDir, target: { subject: ALICE }, now: () => NOW });
    const hotAfterErase = snapshot(store.sqlite);
    store.close();

    await restoreBackup({ dataDir, backupDir, source: { id: backup.id } });
    const restored = openStore(databasePath(dataDir));
    expect(mentionsAlice(everything(restored.sqlite, dataDir))).toBe(true);

    const replay = reapplyErasures({ sqlite: restored.sqlite, dataDir });
    expect(replay.replayed).toBe(1);
    expect(replay.archivedRowsDropped).toBeGreaterThan(0);
    expect(mentionsAlice(everything(restored.sqlite, dataDir))).toBe(false);
    // Same hot rows as right after the erasure (the erasure's audit row comes back too), and
    // no row both archived and hot.
    expect([...snapshot(restored.sqlite).keys()].sort()).toEqual([...hotAfterErase.keys()].sort());
    expect(archivedLines(dataDir).length).toBeLessThan(archivedBefore);
    restored.close();
  });

  it("erases a tenant from every table and archive, leaving other tenants alone", async () => {
    const { dataDir, store } = await populated();
    archiveExpired({ sqlite: store.sqlite, dataDir, windows: WINDOWS, now: () => NOW });
    expect(archivedLines(dataDir).some((l) => l.tenant === "acme")).toBe(true);
    const result = eraseData({
      sqlite: store.sqlite,
      dataDir,
      target: { tenant: "acme" },
      now: () => NOW,
    });
    expect(result.tables.tenants).toBe(1);
    expect(archivedLines(dataDir).some((l) => l.tenant === "acme")).toBe(false);
    const text = everything(store.sqlite, dataDir);
    expect(text).not.toContain("dan@acme.test");
    expect(text).toContain("bob@example.com");
    const audit = store.sqlite
      .prepare("SELECT target FROM audit_log WHERE action = 'tenant.erase'")
      .pluck()
      .all();
    expect(audit).toEqual(["tenant:acme"]);
    store.close();
  });

  it("refuses an identifier too short to name anyone", async () => {
    const { dataDir, store } = await populated();
    expect(() => eraseData({ sqlite: store.sqlite, dataDir, target: { subject: " a " } })).toThrow(
      /at least 3/,
    );
    expect(readErasureLog(dataDir)).toEqual([]);
    store.close();
  });
});
