import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { type CommonFlags, fail, printRows, withStore } from "./context.ts";
import { withCommonOptions } from "./options.ts";

const KINDS = ["generations", "usage", "audit"] as const;
type Kind = (typeof KINDS)[number];

function parseKind(value: string | undefined): Kind | undefined {
  if (value === undefined) return undefined;
  if (!(KINDS as readonly string[]).includes(value))
    fail(`--kind: '${value}' is not one of ${KINDS.join(", ")}`, 2);
  return value as Kind;
}

/**
 * `data archive|archives|export|erase`: the data lifecycle by hand (the daemon archives on its
 * own schedule). Lifecycle code is loaded inside the actions (fast start).
 */
export function registerDataCommands(program: Command): void {
  const data = program
    .command("data")
    .description(
      "data lifecycle: archive expired rows, export archives, erase a subject or tenant",
    );

  withCommonOptions(
    data
      .command("archive")
      .description("move rows past their hot window (lifecycle.*Days) to compressed archives now"),
  )
    .option("--now <time>", "pretend it is this ISO time (windows are counted back from it)")
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { now?: string; json?: boolean }) => {
      const now = flags.now ? new Date(flags.now) : new Date();
      if (Number.isNaN(now.getTime())) fail(`--now: '${flags.now}' is not an ISO time`, 2);
      const { archiveExpired, hotWindows } = await import("../lifecycle/index.ts");
      await withStore(flags, ({ config, store }) => {
        try {
          const result = archiveExpired({
            sqlite: store.sqlite,
            dataDir: config.dataDir,
            windows: hotWindows(config, store.db),
            now: () => now,
            waitForLockMs: 120_000,
          });
          if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
          else {
            for (const f of result.files)
              process.stdout.write(`${f.path}  ${JSON.stringify(f.rows)}\n`);
            process.stdout.write(
              `${result.files.length} archive file(s) written` +
                (result.recovered ? `, ${result.recovered} interrupted one(s) finished` : "") +
                "\n",
            );
          }
        } catch (err) {
          fail(`archive failed: ${(err as Error).message}`);
        }
      });
    });

  withCommonOptions(data.command("archives").description("list archive files, oldest first"))
    .option("--kind <kind>", `only one kind (${KINDS.join(", ")})`)
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { kind?: string; json?: boolean }) => {
      const kind = parseKind(flags.kind);
      const { listArchives, readArchive } = await import("../lifecycle/index.ts");
      await withStore(flags, ({ config }) => {
        printRows(
          listArchives(config.dataDir, kind).map((f) => ({
            kind: f.kind,
            rows: readArchive(f.path).length,
            bytes: f.bytes,
            file: f.path,
          })),
          flags.json === true,
        );
      });
    });

  withCommonOptions(
    data
      .command("export")
      .description(
        "write archived rows as JSONL ({table, tenant, row} per line) to a file or stdout",
      ),
  )
    .option("--kind <kind>", `only one kind (${KINDS.join(", ")})`)
    .option("--out <file>", "write here instead of stdout")
    .action(async (flags: CommonFlags & { kind?: string; out?: string }) => {
      const kind = parseKind(flags.kind);
      const { listArchives, readArchive } = await import("../lifecycle/index.ts");
      await withStore(flags, async ({ config }) => {
        const file = flags.out ? createWriteStream(flags.out, { mode: 0o600 }) : null;
        const out: NodeJS.WritableStream = file ?? process.stdout;
        let lines = 0;
        for (const file of listArchives(config.dataDir, kind))
          for (const line of readArchive(file.path)) {
            if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
            lines++;
          }
        if (file) {
          file.end();
          await once(file, "finish");
          process.stderr.write(`${lines} archived row(s) written to ${flags.out}\n`);
        }
      });
    });

  withCommonOptions(
    data
      .command("erase")
      .description(
        "erase a data subject (an identifier such as an e-mail address) or a whole tenant from " +
          "the database and the archives; logged so a restore re-applies it",
      ),
  )
    .option("--subject <id>", "identifier to erase wherever it appears as a whole word")
    .option("--tenant <id>", "tenant whose data, keys, users and logs are all erased")
    .option("--yes", "confirm a tenant erasure")
    .option("--json", "print JSON")
    .action(
      async (
        flags: CommonFlags & { subject?: string; tenant?: string; yes?: boolean; json?: boolean },
      ) => {
        if (Boolean(flags.subject) === Boolean(flags.tenant))
          fail("give exactly one of --subject <id> or --tenant <id>", 2);
        if (flags.tenant && !flags.yes)
          fail(
            `erasing tenant '${flags.tenant}' removes all its data, keys and users: add --yes`,
            2,
          );
        const { eraseData } = await import("../lifecycle/index.ts");
        await withStore(flags, ({ config, store }) => {
          try {
            const result = eraseData({
              sqlite: store.sqlite,
              dataDir: config.dataDir,
              target: flags.subject
                ? { subject: flags.subject }
                : { tenant: flags.tenant as string },
              actor: { kind: "system", id: "cli:data erase" },
            });
            if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
            else
              process.stdout.write(
                `erased (${result.entry.id}): rows ${JSON.stringify(result.tables)}, ` +
                  `${result.archiveLines} archived row(s) in ${result.archivesRewritten} archive(s)\n` +
                  "backups taken before keep this data until retention removes them; " +
                  "a restore of one re-applies this erasure\n",
              );
          } catch (err) {
            fail(`erase failed: ${(err as Error).message}`);
          }
        });
      },
    );
}
