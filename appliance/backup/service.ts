import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import type Database from "better-sqlite3";
import { desc, eq, inArray } from "drizzle-orm";
import type { Logger } from "pino";
import { type BackupKind, type BackupRow, backups } from "../../shared/db/schema/backups.ts";
import type { Db } from "../store/db.ts";
import { readKeyFile } from "./encryption.ts";
import type { RemoteStore } from "./remote.ts";
import { readManifests } from "./restore.ts";
import { backupsToPrune, type RetentionPolicy, scheduledKind } from "./retention.ts";
import { type BackupManifest, takeSnapshot } from "./snapshot.ts";

/** Options of {@link BackupService}. */
export interface BackupServiceOptions {
  db: Db;
  sqlite: Database.Database;
  /** Where backup files and their manifests are written. */
  dir: string;
  /** Key file; backups are encrypted with AES-256-GCM when set. */
  keyFile?: string;
  /** Generations kept; a function is asked at every prune (runtime settings change it). */
  keep: RetentionPolicy | (() => RetentionPolicy);
  logger?: Logger;
  /** The clock; injected by tests so kinds and retention are exact. */
  now?: () => Date;
  /** Where offsite copies go (encrypted backups only); none: backups stay on this machine. */
  remote?: {
    store: RemoteStore;
    /** Upload attempts per backup before it is marked failed. */
    attempts: number;
    /** First wait between attempts (doubling). */
    retryBaseMs: number;
  };
}

/**
 * Takes, records and prunes backups. One at a time: a second request waits for the first.
 */
export class BackupService {
  #tail: Promise<unknown> = Promise.resolve();
  #uploads: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #now: () => Date;

  constructor(readonly options: BackupServiceOptions) {
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Takes a backup now. `scheduled` picks weekly / daily / hourly from the clock, then applies
   * retention; `manual` backups are kept until deleted by hand. Resolves to the recorded row
   * (status `ok`), or rejects after recording a `failed` row.
   */
  run(kind: "scheduled" | "manual" = "manual"): Promise<BackupRow> {
    const run = this.#tail.then(() => this.#run(kind));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Closes the remote store's connections: an upload in progress stops and stays `pending`, to
   * resume at the next start. `backup now` waits for {@link syncRemote} first.
   */
  close(): void {
    this.#closed = true;
    this.options.remote?.store.close();
  }

  /** Resolves once the backup in progress (if any) has finished. */
  async idle(): Promise<void> {
    await this.#tail;
  }

  /** Every recorded backup, newest first. */
  list(): BackupRow[] {
    return this.options.db.select().from(backups).orderBy(desc(backups.createdAt)).all();
  }

  async #run(requested: "scheduled" | "manual"): Promise<BackupRow> {
    const { db, dir, logger } = this.options;
    const createdAt = this.#now();
    const kind: BackupKind =
      requested === "manual" ? "manual" : scheduledKind(createdAt, this.list());
    const started = performance.now();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      const keyMaterial = this.options.keyFile ? readKeyFile(this.options.keyFile) : undefined;
      const snap = await takeSnapshot(this.options.sqlite.name, {
        dir,
        kind,
        createdAt,
        keyMaterial,
      });
      const values: typeof backups.$inferInsert = {
        id: snap.id,
        kind,
        status: "ok",
        file: snap.path,
        sha256: snap.sha256,
        sizeBytes: snap.sizeBytes,
        encrypted: snap.encrypted,
        rowCounts: snap.rowCounts,
        createdAt,
        durationMs: Math.round(performance.now() - started),
        remoteStatus: this.options.remote && snap.encrypted ? "pending" : null,
      };
      // An upsert: `backup now` in another process may already have adopted this backup from
      // its manifest, which is written just before this row.
      const row = db
        .insert(backups)
        .values(values)
        .onConflictDoUpdate({ target: backups.id, set: values })
        .returning()
        .get();
      logger?.info(
        { backup: row.id, kind, file: row.file, bytes: row.sizeBytes, ms: row.durationMs },
        "backup done",
      );
      if (requested === "scheduled") this.prune();
      // In the background: a slow or failing store never holds up or fails a local backup.
      void this.syncRemote();
      return row;
    } catch (err) {
      const message = (err as Error).message;
      db.insert(backups)
        .values({
          id: `bk_failed_${createdAt.getTime()}_${Math.random().toString(36).slice(2, 8)}`,
          kind,
          status: "failed",
          file: "",
          error: message,
          createdAt,
          durationMs: Math.round(performance.now() - started),
        })
        .run();
      logger?.error({ err, kind }, "backup failed");
      throw err;
    }
  }

  /**
   * Records backups found on disk that the database does not know: after a restore, the
   * restored database predates the newer backups, which would otherwise never be listed or
   * pruned. Returns how many were adopted.
   */
  adoptOrphans(): number {
    const { db, dir } = this.options;
    const known = new Set(this.list().map((b) => b.id));
    let adopted = 0;
    for (const m of readManifests(dir)) {
      if (known.has(m.id)) continue;
      db.insert(backups)
        .values({
          id: m.id,
          kind: m.kind,
          status: "ok",
          file: m.path,
          sha256: m.sha256,
          sizeBytes: m.sizeBytes,
          encrypted: m.encrypted,
          rowCounts: m.rowCounts,
          createdAt: new Date(m.createdAt),
        })
        .onConflictDoNothing()
        .run();
      adopted++;
    }
    if (adopted > 0) this.options.logger?.info({ adopted }, "recorded backups found on disk");
    return adopted;
  }

  /**
   * Uploads the offsite copy of every usable encrypted backup that has none yet (after each
   * backup, and at start: an upload cut by a stop resumes), each with its attempts, then applies
   * retention to the store. Never rejects: failures are recorded on the rows and logged. One
   * run at a time; resolves when this one has finished.
   */
  syncRemote(): Promise<void> {
    if (!this.options.remote) return Promise.resolve();
    const run = this.#uploads
      .then(() => this.#syncRemote())
      .catch((err: Error) => {
        if (!this.#closed) this.options.logger?.error({ err }, "offsite copies failed");
      });
    this.#uploads = run;
    return run;
  }

  async #syncRemote(): Promise<void> {
    const waiting = this.list().filter(
      (b) =>
        b.status === "ok" && b.encrypted && b.remoteStatus !== "uploaded" && existsSync(b.file),
    );
    for (const row of waiting) {
      if (this.#closed) return;
      await this.#upload(row);
    }
    if (!this.#closed) await this.#pruneRemote();
  }

  async #upload(row: BackupRow): Promise<void> {
    const { db, logger, remote } = this.options;
    if (!remote) return;
    const set = (values: Partial<typeof backups.$inferInsert>) =>
      db.update(backups).set(values).where(eq(backups.id, row.id)).run();
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(readFileSync(`${row.file}.json`, "utf8")) as BackupManifest;
    } catch (err) {
      set({ remoteStatus: "failed", remoteError: `no manifest beside ${row.file}: ${err}` });
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await remote.store.upload(row.file, manifest);
        set({ remoteStatus: "uploaded", remoteError: null, remoteUploadedAt: this.#now() });
        logger?.info(
          {
            backup: row.id,
            remote: remote.store.describe(manifest.file),
            ms: Math.round(performance.now() - started),
          },
          "backup uploaded and verified",
        );
        return;
      } catch (err) {
        if (this.#closed) return; // stopping: it resumes at the next start
        const message = `${(err as Error).name}: ${(err as Error).message}`;
        const last = attempt >= remote.attempts;
        set({ remoteStatus: last ? "failed" : "pending", remoteError: message });
        logger?.warn(
          { backup: row.id, attempt, of: remote.attempts, err: message },
          last ? "backup upload failed (retried with the next backup)" : "backup upload failed",
        );
        if (last) return;
        await new Promise((r) => setTimeout(r, remote.retryBaseMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** Removes the store's copies past retention (the same policy as here; manual ones stay). */
  async #pruneRemote(): Promise<void> {
    const { keep, logger, remote } = this.options;
    if (!remote) return;
    try {
      const copies = await remote.store.list();
      const ids = new Set(
        backupsToPrune(
          copies.map((m) => ({ ...m, status: "ok", createdAt: new Date(m.createdAt) })),
          typeof keep === "function" ? keep() : keep,
        ),
      );
      if (ids.size === 0) return;
      await remote.store.remove(copies.filter((m) => ids.has(m.id)));
      logger?.info({ pruned: [...ids] }, "offsite copies pruned by retention");
    } catch (err) {
      logger?.warn({ err: (err as Error).message }, "offsite retention failed (retried later)");
    }
  }

  /** Deletes the files of backups past retention and marks their rows `pruned`. */
  prune(): string[] {
    const { db, keep, logger } = this.options;
    const ids = backupsToPrune(this.list(), typeof keep === "function" ? keep() : keep);
    if (ids.length === 0) return ids;
    const rows = db.select().from(backups).where(inArray(backups.id, ids)).all();
    for (const row of rows) {
      rmSync(row.file, { force: true });
      rmSync(`${row.file}.json`, { force: true });
      db.update(backups).set({ status: "pruned" }).where(eq(backups.id, row.id)).run();
    }
    logger?.info({ pruned: ids }, "backups pruned by retention");
    return ids;
  }
}
