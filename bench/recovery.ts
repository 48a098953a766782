/**
 * Measured recovery (issue 21): how long the appliance's backups take on a store of realistic
 * data, and so its recovery point and time objectives. A fresh store (real migrations, a real
 * SQLite file) is filled to about --size-mb; the backup service the daemon builds from its
 * configuration (a key file, an S3-compatible store: s3rver on loopback, test/fakes/s3.ts) then
 * takes backups, timed in two parts: (a) the backup itself (online snapshot, integrity check and
 * row counts, encryption, written with its manifest) and (b) the offsite upload with its
 * read-back check. On a fresh, empty data directory, the restore from the remote copy is timed
 * from the download to the store opened and every table's rows counted (the bench fails if any
 * count differs from the source's). Beside them, in the same interleaved rounds: the database
 * file copied with fs.copyFile and SQLite's online backup (better-sqlite3 `db.backup()`), and the
 * plain copy back. Also the event loop's longest stall during backup and upload (the daemon
 * serves requests on it) and the restore by phase. RPO = the default schedule's interval +
 * backup + upload; RTO = restore; printed beside the goals (RPO < 1 h, RTO < 4 h), never
 * asserted. bench/README.md has the figures.
 *
 *   npx tsx bench/recovery.ts [--size-mb 1024] [--rounds 3]
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import cron from "node-cron";
import { backupServiceFor, remoteStoreFor } from "../appliance/backup/index.ts";
import { sameCounts } from "../appliance/backup/snapshot.ts";
import { tableRowCounts } from "../appliance/backup/sqlite-worker.ts";
import { type Config, loadConfig } from "../appliance/config.ts";
import { createLogger } from "../appliance/logger.ts";
import { databasePath, openStore } from "../appliance/store/db.ts";
import { S3RVER_CREDENTIALS, startFakeS3 } from "../test/fakes/s3.ts";
import { restoreLatestRemote } from "../test/helpers/backup.ts";
import { interleave, median, printTable, Resources } from "./lib.ts";
import { fillStore, TextSource } from "./recovery/fill.ts";

const { values: args } = parseArgs({
  options: {
    "size-mb": { type: "string", default: "1024" },
    rounds: { type: "string", default: "3" },
  },
});
const sizeMiB = Number(args["size-mb"]);
const rounds = Number(args.rounds);
if (!(sizeMiB > 0) || !(rounds >= 1)) {
  console.error("usage: npx tsx bench/recovery.ts [--size-mb 1024] [--rounds 3]");
  process.exit(2);
}
const MiB = 1024 * 1024;
const RPO_GOAL_S = 3600;
const RTO_GOAL_S = 4 * 3600;

const seconds = (since: number) => (performance.now() - since) / 1000;
/** Seconds as `12.3 s`, or `1 h 0 min 3 s` from two minutes on. */
function clock(s: number): string {
  if (s < 120) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const whole = Math.round(s);
  const [h, min, sec] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return `${h ? `${h} h ` : ""}${min} min ${sec} s`;
}

/** The longest gap between two runs of a cron expression over its next 200 runs, in seconds. */
function longestInterval(expression: string): number {
  const task = cron.createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns(200).map((d) => d.getTime());
    return Math.max(...runs.slice(1).map((t, i) => t - (runs[i] as number))) / 1000;
  } finally {
    void task.destroy();
  }
}

/** The configuration of an appliance in `dir` with a key file and the fake store. */
const configIn = (
  dir: string,
  keyFile: string,
  remote: { url: string; endpoint: string },
): Config =>
  loadConfig(
    { dataDir: join(dir, "data"), backup: { dir: join(dir, "backups"), keyFile, remote } },
    {},
  );

const resources = new Resources();
await resources.run(async () => {
  const root = mkdtempSync(join(tmpdir(), "textnlp-recovery-"));
  resources.add(async () => rmSync(root, { recursive: true, force: true }));
  const keyFile = join(root, "backup.key");
  writeFileSync(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  const s3 = await startFakeS3({ lifetimeMs: 6 * 3600_000 });
  resources.add(() => s3.close());
  Object.assign(process.env, S3RVER_CREDENTIALS);
  const remoteSettings = { url: `s3://${s3.bucket}/recovery`, endpoint: s3.endpoint };

  const config = configIn(join(root, "source"), keyFile, remoteSettings);
  const dbFile = databasePath(config.dataDir);
  const store = openStore(dbFile);
  resources.add(async () => store.close());

  console.log(
    `recovery: --size-mb ${sizeMiB}, ${rounds} interleaved rounds, in ${root}; ` +
      `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB memory, Node ${process.version}`,
  );
  const started = performance.now();
  let shown = 0;
  const filled = await fillStore(store, sizeMiB * MiB, {
    onProgress: (bytes) => {
      if (bytes / MiB - shown < 256) return;
      shown = bytes / MiB;
      console.log(`  filling: ${shown.toFixed(0)} MiB, ${seconds(started).toFixed(0)} s`);
    },
  });
  const dbBytes = statSync(dbFile).size;
  const dbMiB = dbBytes / MiB;
  const source = tableRowCounts(store.sqlite);
  const gzipRatio = (() => {
    const text = Buffer.from(new TextSource(7).text(4 * MiB));
    return text.length / gzipSync(text).length;
  })();
  console.log(
    `filled in ${seconds(started).toFixed(0)} s: textnlp.sqlite ${dbMiB.toFixed(0)} MiB on disk ` +
      `(${dbBytes} bytes); ${filled.jobs} jobs, ${filled.samples} samples, ${filled.templates} templates; ` +
      `generated text compresses ${gzipRatio.toFixed(2)}× with gzip (English prose: about 2.5–3.5×)`,
  );
  console.log(
    `rows: ${Object.entries(source)
      .filter(([, n]) => n > 0)
      .map(([table, n]) => `${table} ${n}`)
      .join(", ")}`,
  );

  // The daemon's warnings (a failed upload attempt, retried after backup.remote.retryBaseMs),
  // kept to say whether an upload figure includes a retry.
  const warnings: string[] = [];
  const logger = createLogger("warn", { write: (line: string) => void warnings.push(line) });
  const service = backupServiceFor(config, store, logger);
  resources.add(async () => service.close());
  const upload: number[] = [];
  const stalls: number[] = [];
  const backupBytes: number[] = [];
  const phases = { download: [] as number[], restore: [] as number[], open: [] as number[] };
  let round = 0;

  // Each contender cleans up after itself (untimed), so the disk never holds more than a few
  // copies; the copy the fs.copyFile row makes is the one the copy-back row restores.
  const plainCopy = join(root, "copy.sqlite");
  const samples = await interleave(rounds, {
    copyFile: async () => {
      // A plain file copy is only whole with the WAL folded in (the service writes a row per backup).
      store.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      const t = performance.now();
      await copyFile(dbFile, plainCopy);
      return seconds(t);
    },
    sqliteBackup: async () => {
      const file = join(root, "sqlite-backup.sqlite");
      const t = performance.now();
      await store.sqlite.backup(file);
      const s = seconds(t);
      rmSync(file);
      return s;
    },
    ours: async () => {
      // The daemon serves requests on this event loop while it backs up: its longest stall.
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const t = performance.now();
      const row = await service.run("scheduled");
      const backup = seconds(t);
      const u = performance.now();
      await service.syncRemote();
      upload.push(seconds(u));
      loop.disable();
      stalls.push(loop.max / 1e9);
      const after = service.list().find((b) => b.id === row.id);
      if (after?.remoteStatus !== "uploaded")
        throw new Error(`the offsite copy of ${row.id} did not go up: ${after?.remoteError}`);
      backupBytes.push(row.sizeBytes ?? 0);
      rmSync(row.file);
      rmSync(`${row.file}.json`);
      return backup;
    },
    restore: async () => {
      // The snapshot's counts: the source gains the backup's own row after the snapshot.
      const expected: Record<string, number> = { ...source, backups: round };
      const fresh = configIn(join(root, `fresh-${++round}`), keyFile, remoteSettings);
      const remote = remoteStoreFor(fresh);
      if (!remote) throw new Error("no remote store configured");
      const t = performance.now();
      try {
        const { downloadMs } = await restoreLatestRemote(remote, {
          dataDir: fresh.dataDir,
          backupDir: fresh.backup.dir,
          keyFile,
        });
        const swapped = seconds(t);
        const restored = openStore(databasePath(fresh.dataDir));
        let counts: Record<string, number>;
        try {
          counts = tableRowCounts(restored.sqlite);
        } finally {
          restored.close();
        }
        const s = seconds(t);
        phases.download.push(downloadMs / 1000);
        phases.restore.push(swapped - downloadMs / 1000);
        phases.open.push(s - swapped);
        if (!sameCounts(expected, counts)) {
          const differ = [...new Set([...Object.keys(expected), ...Object.keys(counts)])]
            .filter((table) => expected[table] !== counts[table])
            .map((table) => `${table}: source ${expected[table]}, restored ${counts[table]}`);
          throw new Error(`the restore is not whole (round ${round}): ${differ.join("; ")}`);
        }
        return s;
      } finally {
        // A client of its own: the restore blocks the event loop long enough for the store to
        // close the idle keep-alive connections of `remote`, which would not notice in time.
        remote.close();
        const cleaner = remoteStoreFor(fresh);
        await cleaner?.remove(await cleaner.list());
        cleaner?.close();
        rmSync(join(root, `fresh-${round}`), { recursive: true, force: true });
      }
    },
    copyBack: async () => {
      const dir = join(root, "copy-back");
      mkdirSync(dir, { recursive: true });
      const t = performance.now();
      await copyFile(plainCopy, databasePath(dir));
      const s = seconds(t);
      rmSync(dir, { recursive: true });
      rmSync(plainCopy);
      return s;
    },
  });

  const m = Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, median(v as number[])]),
  ) as Record<keyof typeof samples, number>;
  const uploadS = median(upload);
  const rate = (s: number) => (dbMiB / s).toFixed(0);
  const tableRow = (step: string, ours: number, baseline: string, base: number | undefined) => ({
    step,
    "ours s": ours,
    "ours MiB/s": rate(ours),
    baseline,
    "baseline s": base ?? "",
    "baseline MiB/s": base ? rate(base) : "",
    "ours/baseline": base ? (ours / base).toFixed(2) : "",
  });
  console.log(
    `\nmedians of ${rounds} rounds, MiB/s of the ${dbMiB.toFixed(0)} MiB database file ` +
      `(encrypted backup ${(median(backupBytes) / MiB).toFixed(0)} MiB):`,
  );
  printTable([
    tableRow("backup: snapshot, check, encrypt", m.ours, "fs.copyFile", m.copyFile),
    tableRow("", m.ours, "SQLite db.backup()", m.sqliteBackup),
    tableRow("upload + read-back check", uploadS, "-", undefined),
    tableRow("restore from the store", m.restore, "copy back (fs.copyFile)", m.copyBack),
  ]);
  if (warnings.length > 0)
    console.log(
      `the service logged ${warnings.length} warnings or errors (upload attempts retried count in the upload's time):\n${warnings.join("")}`,
    );
  console.log(
    `the event loop's longest stall during backup and upload: ${clock(median(stalls))} ` +
      "(median over rounds; a daemon answers no request meanwhile)",
  );
  console.log(
    `restore, by phase: list + download with its sha256 ${clock(median(phases.download))}; ` +
      `restoreBackup (read, sha256, decrypt, write, integrity check, row counts, swap) ` +
      `${clock(median(phases.restore))}; store opened (migrations checked) and every table counted ` +
      `${clock(median(phases.open))}`,
  );

  const cronExpression = config.backup.cron;
  const interval = longestInterval(cronExpression);
  const both = median(upload.map((u, i) => u + (samples.ours[i] as number)));
  const rpo = interval + both;
  const verdict = (value: number, goal: number) =>
    value < goal ? "met" : `missed by ${clock(value - goal)}`;
  console.log(
    `\nRPO = ${clock(rpo)}: the default schedule's interval ${clock(interval)} (backup.cron ` +
      `'${cronExpression}', the configuration's default; longest gap between its next 200 runs) ` +
      `+ backup and upload ${clock(both)} (median of their sum). Goal < 1 h: ${verdict(rpo, RPO_GOAL_S)}` +
      (rpo >= RPO_GOAL_S
        ? `; a schedule every ${clock(RPO_GOAL_S - both)} or less would meet it.`
        : "."),
  );
  console.log(
    `RTO = ${clock(m.restore)}: restore from the remote copy onto an empty data directory until the ` +
      `store opens and every table's rows are counted. Goal < 4 h: ${verdict(m.restore, RTO_GOAL_S)}.`,
  );
  console.log(
    `To scale: backup + upload ${rate(both)} MiB/s, restore ${rate(m.restore)} MiB/s of database file.`,
  );
});
