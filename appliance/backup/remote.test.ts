/**
 * Offsite copies against a real S3-compatible server (s3rver, started here) behind a
 * fault-injecting proxy (test/fakes/s3.ts), with the backup service on a real SQLite database:
 * uploads (multipart for a backup larger than a part) verified by reading them back; the same
 * retention applied remotely; 5xx answers, cut connections and a store that keeps other bytes
 * than it was sent, retried, and a store that is down leaving local backups untouched; and a
 * full restore from the remote copy onto a fresh data directory (and through the CLI), every
 * table checked.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTemplateVersion } from "../../shared/synth/store/templates.ts";
import { type FakeS3, S3RVER_CREDENTIALS, startFakeS3 } from "../../test/fakes/s3.ts";
import { runCli } from "../../test/helpers/appliance.ts";
import { restoreLatestRemote } from "../../test/helpers/backup.ts";
import { loadConfig } from "../config.ts";
import { databasePath, openStore, type Store } from "../store/db.ts";
import { RemoteStore } from "./remote.ts";
import { BackupService } from "./service.ts";
import { tableRowCounts } from "./sqlite-worker.ts";

let s3: FakeS3;
const roots: string[] = [];
const opened: { close(): void }[] = [];

beforeAll(async () => {
  Object.assign(process.env, S3RVER_CREDENTIALS);
  s3 = await startFakeS3();
});
afterAll(async () => {
  await s3?.close();
});
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true });
});

let sites = 0;

/** A data directory with rows, its key file, and a service uploading to a prefix of its own. */
async function appliance({
  keep = { hourly: 24, daily: 7, weekly: 4 },
  now,
  bigRows = 0,
}: {
  keep?: { hourly: number; daily: number; weekly: number };
  now?: () => Date;
  /** Templates of 1 MiB of incompressible text each (a backup larger than one 5 MiB part). */
  bigRows?: number;
} = {}) {
  const root = mkdtempSync(join(tmpdir(), "textnlp-offsite-"));
  roots.push(root);
  const dataDir = join(root, "data");
  const keyFile = join(root, "backup.key");
  writeFileSync(keyFile, randomBytes(32).toString("hex"));
  const store = openStore(databasePath(dataDir));
  opened.push(store);
  for (let i = 0; i < 5 + bigRows; i++) {
    const prompt = i < 5 ? "Hello {{ name }}" : randomBytes(512 * 1024).toString("hex");
    await createTemplateVersion(
      store.db,
      { tenantId: "local", name: `t${i}`, prompt, variables: [], params: {} },
      new Date(),
    );
  }
  const url = `s3://${s3.bucket}/site-${++sites}`;
  const remote = new RemoteStore({
    url,
    endpoint: s3.endpoint,
    region: "us-east-1",
    pathStyle: true,
    partSizeMiB: 5,
    attempts: 3,
    retryBaseMs: 10,
  });
  opened.push(remote);
  // What the service logs as a warning (failed attempts), as `err` texts.
  const warnings: string[] = [];
  const logger = {
    info() {},
    error() {},
    warn: (fields: { err?: string }) => warnings.push(String(fields.err)),
  } as unknown as Logger;
  const service = new BackupService({
    db: store.db,
    sqlite: store.sqlite,
    dir: join(root, "backups"),
    keyFile,
    keep,
    now,
    logger,
    remote: { store: remote, attempts: 3, retryBaseMs: 10 },
  });
  return { root, dataDir, keyFile, store, remote, service, url, warnings };
}

/** The row of backup `id` as recorded now. */
const rowOf = (service: BackupService, id: string) => service.list().find((b) => b.id === id);

describe("offsite copies of backups", () => {
  it("uploads each backup as a multipart upload, verified, and lists it remotely", async () => {
    const { service, remote } = await appliance({ bigRows: 6 });
    const before = s3.requests.length;
    const row = await service.run("manual");
    await service.syncRemote();
    expect(row.sizeBytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(rowOf(service, row.id)).toMatchObject({ remoteStatus: "uploaded", remoteError: null });
    const sent = s3.requests.slice(before);
    expect(sent.filter((r) => /^PUT .*partNumber=/.test(r)).length).toBeGreaterThanOrEqual(2);
    const copies = await remote.list();
    expect(copies).toEqual([expect.objectContaining({ id: row.id, sha256: row.sha256 })]);
  });

  it("applies the same retention to the remote copies; manual ones stay", async () => {
    let clock = new Date("2026-12-07T10:00:00Z");
    const { service, remote } = await appliance({
      keep: { hourly: 1, daily: 1, weekly: 1 },
      now: () => clock,
    });
    const manual = await service.run("manual");
    for (let hour = 0; hour < 4; hour++) {
      clock = new Date(clock.getTime() + 3_600_000);
      await service.run("scheduled");
      await service.syncRemote();
    }
    const kept = service
      .list()
      .filter((b) => b.status === "ok")
      .map((b) => b.id)
      .sort();
    expect(kept).toHaveLength(3); // the weekly, the newest hourly, the manual one
    expect(kept).toContain(manual.id);
    expect((await remote.list()).map((m) => m.id).sort()).toEqual(kept);
  });

  it("retries 5xx answers, cut connections and a copy the store corrupted", async () => {
    const { service, remote, warnings } = await appliance();
    const faults: [() => void, RegExp][] = [
      [() => s3.faults.fail(2), /ServiceUnavailable|injected fault/],
      [() => s3.faults.cut(1), /socket hang up|ECONNRESET|aborted|closed/i],
      [() => s3.faults.corrupt(1), /RemoteVerifyError: the copy of .* does not match/],
    ];
    for (const [inject, seen] of faults) {
      warnings.length = 0;
      inject();
      const row = await service.run("manual");
      await service.syncRemote();
      expect(warnings.length, "a failed attempt").toBeGreaterThan(0);
      expect(warnings[0]).toMatch(seen);
      expect(rowOf(service, row.id)).toMatchObject({ remoteStatus: "uploaded", remoteError: null });
    }
    // Every copy listed is whole: downloading checks its sha256 against the manifest.
    const copies = await remote.list();
    expect(copies).toHaveLength(3);
    const dir = mkdtempSync(join(tmpdir(), "textnlp-offsite-check-"));
    roots.push(dir);
    for (const copy of copies) expect(existsSync(await remote.download(copy, dir))).toBe(true);
  });

  it("keeps local backups whole while the store is down, and uploads them once it is back", async () => {
    const { service, remote } = await appliance();
    s3.faults.down();
    let first: Awaited<ReturnType<BackupService["run"]>>;
    try {
      first = await service.run("manual");
      await service.syncRemote();
    } finally {
      s3.faults.heal();
    }
    expect(first.status).toBe("ok");
    expect(existsSync(first.file)).toBe(true);
    const failed = rowOf(service, first.id);
    expect(failed?.remoteStatus).toBe("failed");
    expect(failed?.remoteError).toMatch(/ServiceUnavailable|injected fault|503/);
    // The next backup's upload takes the failed one along.
    const second = await service.run("manual");
    await service.syncRemote();
    for (const id of [first.id, second.id]) {
      expect(rowOf(service, id)?.remoteStatus).toBe("uploaded");
    }
    expect((await remote.list()).map((m) => m.id).sort()).toEqual([first.id, second.id].sort());
  });

  it("restores the remote copy onto a fresh data directory, every table whole", async () => {
    const { service, remote, keyFile, store } = await appliance();
    const taken = await service.run("manual");
    await service.syncRemote();
    // The snapshot's counts: the live database has the backup's own row besides.
    const expected = { ...tableRowCounts(store.sqlite), backups: 0 };
    expect(taken.rowCounts).toEqual(expected);
    const templates = store.sqlite
      .prepare("SELECT name, prompt FROM templates ORDER BY name")
      .all();

    // A fresh machine: nothing but the key file and the store's address.
    const fresh = mkdtempSync(join(tmpdir(), "textnlp-fresh-"));
    roots.push(fresh);
    const restored = await restoreLatestRemote(remote, {
      dataDir: join(fresh, "data"),
      backupDir: join(fresh, "backups"),
      keyFile,
    });
    expect(restored.rowCounts).toEqual(expected);
    const db = new Database(databasePath(join(fresh, "data")), { readonly: true });
    try {
      expect(tableRowCounts(db)).toEqual(expected);
      expect(db.prepare("SELECT name, prompt FROM templates ORDER BY name").all()).toEqual(
        templates,
      );
    } finally {
      db.close();
    }
  });

  it("backs up and restores from the remote store with the CLI, on a fresh data directory", async () => {
    const { root, dataDir, keyFile, url, store } = await appliance();
    const expected = tableRowCounts(store.sqlite);
    (store as Store).close();
    opened.splice(opened.indexOf(store), 1);
    const env = {
      ...S3RVER_CREDENTIALS,
      TEXTNLP_BACKUP_KEY_FILE: keyFile,
      TEXTNLP_BACKUP_REMOTE: url,
      TEXTNLP_BACKUP_REMOTE_ENDPOINT: s3.endpoint,
    };
    const taken = await runCli(["backup", "now", "--data-dir", dataDir], { env });
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/offsite copy uploaded to .* and verified/);
    const listed = await runCli(["backup", "list", "--remote", "--json", "--data-dir", dataDir], {
      env,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);

    const freshDir = join(root, "fresh-data");
    const out = await runCli(["restore", "--remote", "latest", "--data-dir", freshDir], {
      env: { ...env, TEXTNLP_BACKUP_DIR: join(root, "fresh-backups") },
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/integrity ok, row counts verified/);
    const db = new Database(databasePath(freshDir), { readonly: true });
    try {
      // The restore's own audit entry is written after the snapshot: every other table matches.
      const counts = tableRowCounts(db);
      expect({ ...counts, audit_log: 0 }).toEqual({ ...expected, audit_log: 0 });
    } finally {
      db.close();
    }
    // Without a key file, a remote store is refused before anything runs.
    const refused = loadConfig.bind(null, { dataDir }, { ...env, TEXTNLP_BACKUP_KEY_FILE: "" });
    expect(refused).toThrow(/offsite copies must be encrypted/);
  }, 60_000);
});
