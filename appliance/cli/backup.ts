import { existsSync } from "node:fs";
import type { Command } from "commander";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
import { auditCli, type CommonFlags, configFrom, fail, printRows, withStore } from "./context.ts";
import { withCommonOptions } from "./options.ts";

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
          const row = await service.run("manual");
          await auditCli(store.db, {
            tenantId: LOCAL_TENANT,
            action: "backup.run",
            target: `backup:${row.id}`,
            detail: { ok: true, kind: "manual", sha256: row.sha256 },
          });
          if (flags.json) process.stdout.write(`${JSON.stringify(row)}\n`);
          else
            process.stdout.write(
              `backup ${row.id} written to ${row.file} (${row.sizeBytes} bytes, ` +
                `${row.encrypted ? "encrypted" : "NOT encrypted: set backup.keyFile"}, verified)\n`,
            );
        } catch (err) {
          fail(`backup failed: ${(err as Error).message}`);
        }
      });
    });
  withCommonOptions(backup.command("list").description("list recorded backups, newest first"))
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { json?: boolean }) => {
      const { backupServiceFor } = await import("../backup/index.ts");
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
    .option("--json", "print JSON")
    .action(
      async (
        backupArg: string | undefined,
        flags: CommonFlags & { before?: string; json?: boolean },
      ) => {
        if (Boolean(backupArg) === Boolean(flags.before))
          fail("give either a backup (file or id) or --before <ISO time>", 2);
        const before = flags.before ? new Date(flags.before) : undefined;
        if (before && Number.isNaN(before.getTime()))
          fail(`--before: '${flags.before}' is not an ISO time (e.g. 2026-01-31T12:00:00Z)`, 2);
        const config = configFrom(flags);
        const { readKeyFile, restoreBackup, RestoreError } = await import("../backup/index.ts");
        const lifecycle = await import("../lifecycle/index.ts");
        // Marked first: if the replay below is interrupted, the daemon finishes it at start.
        const alreadyPending = lifecycle.erasuresPending(config.dataDir);
        lifecycle.markErasuresPending(config.dataDir);
        try {
          const result = restoreBackup({
            dataDir: config.dataDir,
            backupDir: config.backup.dir,
            keyMaterial: config.backup.keyFile ? readKeyFile(config.backup.keyFile) : undefined,
            source: before
              ? { before }
              : existsSync(backupArg as string)
                ? { file: backupArg as string }
                : { id: backupArg as string },
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
