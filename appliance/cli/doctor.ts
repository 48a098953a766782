import type { Command } from "commander";
import { type CommonFlags, configFrom, fail } from "./context.ts";
import { parsePortOption, withCommonOptions } from "./options.ts";

/** `doctor`: checks the installation and says what to fix; exits 1 when something is wrong. */
export function registerDoctorCommand(program: Command): void {
  withCommonOptions(
    program
      .command("doctor")
      .description(
        "check llama.cpp, GPUs, disk, database, backups, port and clock; exit 1 on problems",
      ),
  )
    .option("--host <host>", "interface the daemon will listen on (as serve)")
    .option("--port <port>", "port the daemon will listen on (as serve)", parsePortOption)
    .option("--max-backup-age-hours <h>", "a newest backup older than this is a problem", "2")
    .option("--min-free-gib <g>", "less free disk than this is a problem", "1")
    .option("--json", "print JSON")
    .action(
      async (
        flags: CommonFlags & {
          host?: string;
          port?: number;
          maxBackupAgeHours: string;
          minFreeGib: string;
          json?: boolean;
        },
      ) => {
        const maxBackupAgeHours = Number(flags.maxBackupAgeHours);
        const minFreeGib = Number(flags.minFreeGib);
        if (!(maxBackupAgeHours > 0)) fail("--max-backup-age-hours must be a positive number", 2);
        if (!(minFreeGib >= 0)) fail("--min-free-gib must be a number", 2);
        const config = configFrom(flags, { host: flags.host, port: flags.port });
        const { runChecks } = await import("../doctor/checks.ts");
        const results = await runChecks(config, {
          maxBackupAgeHours,
          minFreeBytes: minFreeGib * 1024 ** 3,
        });
        const problems = results.filter((r) => r.status === "fail").length;
        if (flags.json) process.stdout.write(`${JSON.stringify({ problems, results }, null, 2)}\n`);
        else {
          for (const r of results) {
            process.stdout.write(`${r.status.toUpperCase().padEnd(4)}  ${r.name}: ${r.detail}\n`);
            if (r.fix) process.stdout.write(`      fix: ${r.fix}\n`);
          }
          process.stdout.write(problems ? `${problems} problem(s) found\n` : "no problems found\n");
        }
        process.exitCode = problems ? 1 : 0;
      },
    );
}
