import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { restoreBackup } from "../../appliance/backup/restore.ts";
import { markErasuresPending } from "../../appliance/lifecycle/index.ts";
import { databasePath, openStore } from "../../appliance/store/db.ts";
import { runCli, startAppliance, TINY_RANDOM_MODEL, tempDataDir } from "../helpers/appliance.ts";
import { seedJob } from "../helpers/store-fixtures.ts";

const SUBJECT = "subject-7731@example.org";
const NOW = "2026-06-01T00:00:00.000Z";

/** Two finished jobs 60 days before NOW (archivable) and one recent, each naming people. */
async function populate(dataDir: string): Promise<void> {
  const store = openStore(databasePath(dataDir));
  const finished = (age: number) => new Date(Date.parse(NOW) - age * 86_400_000);
  await seedJob(store, {
    id: "job_a",
    finished: finished(60),
    people: [SUBJECT, "keep-1@example.org"],
  });
  await seedJob(store, { id: "job_b", finished: finished(60), people: ["keep-2@example.org"] });
  await seedJob(store, { id: "job_c", finished: finished(2), people: [SUBJECT] });
  store.close();
}

function samplesMentioning(dataDir: string, text: string): number {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    return db
      .prepare("SELECT count(*) FROM samples WHERE output LIKE ?")
      .pluck()
      .get(`%${text}%`) as number;
  } finally {
    db.close();
  }
}

describe("appliance data lifecycle (CLI and daemon)", () => {
  it("archives, exports, erases a subject, and keeps it erased across restores", async () => {
    const root = tempDataDir();
    const dataDir = join(root, "data");
    const backupDir = join(root, "backups");
    const env = { TEXTNLP_BACKUP_DIR: backupDir, TEXTNLP_RETAIN_GENERATIONS_DAYS: "30" };
    const cli = (args: string[]) => runCli([...args, "--data-dir", dataDir], { env });
    await populate(dataDir);

    const backup = await cli(["backup", "now", "--json"]);
    expect(backup.code, backup.stderr).toBe(0);
    const backupId = JSON.parse(backup.stdout).id as string;

    const archived = await cli(["data", "archive", "--now", NOW, "--json"]);
    expect(archived.code, archived.stderr).toBe(0);
    const { files } = JSON.parse(archived.stdout) as { files: { rows: Record<string, number> }[] };
    expect(files.map((f) => f.rows)).toEqual([{ jobs: 2, job_rows: 3, samples: 3 }]);

    const exportFile = join(root, "export.jsonl");
    const exported = await cli(["data", "export", "--kind", "generations", "--out", exportFile]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(exportFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(
      lines
        .filter((l) => l.table === "samples")
        .map((l) => l.row.output)
        .sort(),
    ).toEqual(["Hello keep-1@example.org", "Hello keep-2@example.org", `Hello ${SUBJECT}`]);

    // Clear refusals: a tenant erasure needs --yes, an identifier must name someone.
    const unconfirmed = await cli(["data", "erase", "--tenant", "local"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/add --yes/);
    const tooShort = await cli(["data", "erase", "--subject", "ab"]);
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toMatch(/at least 3 characters/);

    const erased = await cli(["data", "erase", "--subject", SUBJECT, "--json"]);
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ tables: { samples: 1 }, archiveLines: 2 });
    const afterErase = await cli(["data", "export"]);
    expect(afterErase.stdout).not.toContain(SUBJECT);
    expect(afterErase.stdout).toContain("keep-1@example.org");
    expect(samplesMentioning(dataDir, SUBJECT)).toBe(0);

    // The backup predates the erasure: restoring it brings the subject back, the replay
    // takes it away again (and the rows archived since are not duplicated in the database).
    const restored = await cli(["restore", backupId, "--json"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout).erasures).toEqual({ replayed: 1, archivedRowsDropped: 6 });
    expect(samplesMentioning(dataDir, SUBJECT)).toBe(0);
    expect(samplesMentioning(dataDir, "keep-1@example.org")).toBe(0); // archived, not hot
    expect((await cli(["data", "export"])).stdout).toContain("keep-1@example.org");

    // A restore interrupted before its replay: the daemon finishes the replay at start.
    await restoreBackup({ dataDir, backupDir, source: { id: backupId } });
    markErasuresPending(dataDir);
    expect(samplesMentioning(dataDir, SUBJECT)).toBe(2);
    const appliance = await startAppliance({
      dataDir,
      args: ["--model", TINY_RANDOM_MODEL],
      env: { ...env, TEXTNLP_BACKUP_ENABLED: "false" },
    });
    try {
      expect(
        appliance.logs.some((l) => String(l.msg).startsWith("re-applied logged erasures")),
      ).toBe(true);
      expect(samplesMentioning(dataDir, SUBJECT)).toBe(0);
    } finally {
      await appliance.stop();
      appliance.cleanup();
    }
  }, 180_000);
});
