import { existsSync, mkdirSync } from "node:fs";
import type { Command } from "commander";
import type { Config } from "../config.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
import { auditCli, type CommonFlags, configFrom, fail, printRows, withStore } from "./context.ts";
import { withCommonOptions } from "./options.ts";

/** The configured remote store, or the command fails saying how to configure one. */
async function openRemote(config: Config) {
  const { remoteStoreFor } = await import("../backup/index.ts");
  const remote = remoteStoreFor(config);
  if (!remote)
    fail(
      "no remote store is configured: set backup.remote.url (TEXTNLP_BACKUP_REMOTE=s3://bucket/prefix)",
      2,
    );
  return remote as NonNullable<typeof remote>;
}

/**
 * Downloads the remote copy to restore (by id, the newest before `before`, or the newest of all
 * for `latest` or no id) into the backup directory, checked against its sha256; its path.
 */
async function downloadRemote(
  config: Config,
  id: string | undefined,
  before: Date | undefined,
): Promise<string> {
  const { RestoreError } = await import("../backup/index.ts");
  const remote = await openRemote(config);
  try {
    const copies = await remote.list();
    const found = before
      ? copies.find((m) => m.createdAt < before.toISOString())
      : !id || id === "latest"
        ? copies[0]
        : copies.find((m) => m.id === id);
    if (!found) {
      const which = before ? `taken before ${before.toISOString()}` : `'${id ?? "latest"}'`;
      throw new RestoreError(`no verified copy ${which} in ${remote.describe()}`);
    }
    return await remote.download(found, config.backup.dir);
  } finally {
    remote.close();
  }
}

/** `backup now|list` and `restore`. Backup code is loaded inside the actions (fast start). */
export function registerBackupCommands(program: Command): void {
  const backup = program
    .command("backup")
    .description("online backups of the database (verified; encrypted when a key is set)");
  withCommonOptions(
    backup.command("now").description("take a manual backup now (the daemon may keep running)"),
  )
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { json?: boolean }) => {
      const { backupServiceFor } = await import("../backup/index.ts");
      await withStore(flags, async ({ config, store }) => {
        try {
          const service = backupServiceFor(config, store);
          service.adoptOrphans();
          const taken = await service.run("manual");
          // With a remote store, the offsite copy goes up before the command ends.
          await service.syncRemote();
          service.close();
          const row = service.list().find((b) => b.id === taken.id) ?? taken;
          await auditCli(store.db, {
            tenantId: LOCAL_TENANT,
            action: "backup.run",
            target: `backup:${row.id}`,
            detail: { ok: true, kind: "manual", sha256: row.sha256 },
          });
          if (flags.json) process.stdout.write(`${JSON.stringify(row)}\n`);
          else {
            process.stdout.write(
              `backup ${row.id} written to ${row.file} (${row.sizeBytes} bytes, ` +
                `${row.encrypted ? "encrypted" : "NOT encrypted: set backup.keyFile"}, verified)\n`,
            );
            if (row.remoteStatus === "uploaded") {
              process.stdout.write(
                `offsite copy uploaded to ${config.backup.remote?.url} and verified\n`,
              );
            } else if (row.remoteStatus === "failed") {
              process.stdout.write(
                `offsite copy FAILED (the local backup is fine; retried with the next): ${row.remoteError}\n`,
              );
            }
          }
        } catch (err) {
          fail(`backup failed: ${(err as Error).message}`);
        }
      });
    });
  withCommonOptions(backup.command("list").description("list recorded backups, newest first"))
    .option("--json", "print JSON")
    .option("--remote", "list the verified copies in the remote store (backup.remote) instead")
    .action(async (flags: CommonFlags & { json?: boolean; remote?: boolean }) => {
      const { backupServiceFor } = await import("../backup/index.ts");
      if (flags.remote) {
        const remote = await openRemote(configFrom(flags));
        try {
          const copies = await remote.list();
          printRows(
            copies.map((m) => ({
              id: m.id,
              kind: m.kind,
              created: m.createdAt,
              bytes: m.sizeBytes,
              encrypted: m.encrypted,
              object: remote.describe(m.file),
            })),
            flags.json === true,
          );
        } catch (err) {
          fail(`cannot list ${remote.describe()}: ${(err as Error).message}`);
        } finally {
          remote.close();
        }
        return;
      }
      await withStore(flags, ({ config, store }) => {
        printRows(
          backupServiceFor(config, store)
            .list()
            .map((b) => ({
              id: b.id,
              kind: b.kind,
              status: b.status,
              created: b.createdAt,
              bytes: b.sizeBytes,
              encrypted: b.encrypted,
              file: b.file || b.error,
              ...(config.backup.remote ? { offsite: b.remoteStatus ?? "-" } : {}),
            })),
          flags.json === true,
        );
      });
    });

  withCommonOptions(
    program
      .command("restore")
      .description(
        "replace the database with a backup (the daemon must be stopped); the old one is kept aside",
      )
      .argument("[backup]", "backup file, or backup id (see 'backup list')"),
  )
    .option("--before <time>", "restore the newest backup taken before this ISO time")
    .option(
      "--remote",
      "take the backup (id, --before, or 'latest') from the remote store, downloaded and checked first",
    )
    .option("--json", "print JSON")
    .action(
      async (
        backupArg: string | undefined,
        flags: CommonFlags & { before?: string; json?: boolean; remote?: boolean },
      ) => {
        if (backupArg && flags.before)
          fail("give either a backup (file or id) or --before <ISO time>, not both", 2);
        if (!backupArg && !flags.before && !flags.remote)
          fail("give either a backup (file or id) or --before <ISO time>", 2);
        const before = flags.before ? new Date(flags.before) : undefined;
        if (before && Number.isNaN(before.getTime()))
          fail(`--before: '${flags.before}' is not an ISO time (e.g. 2026-01-31T12:00:00Z)`, 2);
        const config = configFrom(flags);
        const { readKeyFile, restoreBackup, RestoreError } = await import("../backup/index.ts");
        const lifecycle = await import("../lifecycle/index.ts");
        // A fresh machine (a restore from the remote store) has no data directory yet.
        mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
        // Marked first: if the replay below is interrupted, the daemon finishes it at start.
        const alreadyPending = lifecycle.erasuresPending(config.dataDir);
        lifecycle.markErasuresPending(config.dataDir);
        try {
          const source = flags.remote
            ? { file: await downloadRemote(config, backupArg, before) }
            : before
              ? { before }
              : existsSync(backupArg as string)
                ? { file: backupArg as string }
                : { id: backupArg as string };
          const result = await restoreBackup({
            dataDir: config.dataDir,
            backupDir: config.backup.dir,
            keyMaterial: config.backup.keyFile ? readKeyFile(config.backup.keyFile) : undefined,
            source,
          });
          const replayed = await withStore(flags, ({ store }) =>
            lifecycle.reapplyErasures({ sqlite: store.sqlite, dataDir: config.dataDir }),
          );
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ ...result, erasures: replayed })}\n`);
            return;
          }
          const taken = result.manifest ? ` taken ${result.manifest.createdAt}` : "";
          process.stdout.write(
            [
              `restored ${result.restored}${taken} (integrity ok, row counts verified)`,
              result.previous
                ? `the previous database is kept at ${result.previous}`
                : "there was no previous database",
              "start the appliance again (systemctl start textnlp-appliance, or textnlp-appliance serve)",
              `erasures re-applied: ${replayed.replayed}; rows already archived dropped: ${replayed.archivedRowsDropped}`,
              "",
            ].join("\n"),
          );
        } catch (err) {
          if (err instanceof RestoreError && !alreadyPending)
            lifecycle.clearErasuresPending(config.dataDir);
          fail(
            `restore ${err instanceof RestoreError ? "refused" : "failed"}: ${(err as Error).message}`,
          );
        }
      },
    );
}
