import type { Command } from "commander";
import { enroll, readLinkState } from "../link/index.ts";
import { runningDaemonPid } from "../store/pid-file.ts";
import { deleteLinkCredential, readLinkCredential } from "../store/queries/link-credentials.ts";
import { type CommonFlags, fail, withStore } from "./context.ts";
import { withCommonOptions } from "./options.ts";

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : "-");

/** `enroll`, `unenroll` and `status`: the hybrid link to an edge. */
export function registerLinkCommands(program: Command): void {
  withCommonOptions(
    program
      .command("enroll")
      .argument("<edge-url>", "the edge gateway, e.g. https://edge.example")
      .argument("<code>", "a one-time enrollment code from the edge's admin API")
      .description("join a site of an edge: the credential is stored in the database"),
  )
    .option("--name <name>", "how the edge lists this appliance", "appliance")
    .action(async (edgeUrl: string, code: string, flags: CommonFlags & { name: string }) => {
      await withStore(flags, async ({ config, store }) => {
        try {
          const enrolled = await enroll(store.db, config.link, edgeUrl, code, flags.name);
          process.stdout.write(
            `enrolled as ${enrolled.applianceId} in site ${enrolled.siteId} of ${enrolled.edgeUrl}\n` +
              (runningDaemonPid(config.dataDir)
                ? "restart the daemon to open the link\n"
                : "the link opens when the daemon starts\n"),
          );
        } catch (err) {
          fail((err as Error).message);
        }
      });
    });

  withCommonOptions(
    program
      .command("unenroll")
      .description("forget the site credential (the link closes at the next start)"),
  ).action(async (flags: CommonFlags) => {
    await withStore(flags, ({ store }) => {
      if (!deleteLinkCredential(store.db)) fail("this appliance is not enrolled");
      process.stdout.write("unenrolled; revoke the appliance on the edge as well\n");
    });
  });

  withCommonOptions(program.command("status").description("the daemon and its link to the edge"))
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { json?: boolean }) => {
      await withStore(flags, ({ config, store }) => {
        const enrolled = readLinkCredential(store.db);
        const pid = runningDaemonPid(config.dataDir);
        const state = readLinkState(config.dataDir);
        // A state file of a daemon that is gone says nothing about now.
        const live = pid !== null && state?.pid === pid ? state : null;
        const link = !enrolled
          ? { status: "not enrolled" }
          : !pid
            ? { status: "daemon not running" }
            : {
                status: live?.status ?? "starting",
                protocol: live?.protocol ?? null,
                connected_since: live?.connectedAt ?? null,
                rtt_ms: live?.rttMs ?? null,
                reconnects: live?.reconnects ?? 0,
                last_error: live?.lastError ?? null,
                retry_at: live?.retryAt ?? null,
              };
        const report = {
          daemon: pid ? { running: true, pid } : { running: false },
          enrollment: enrolled
            ? {
                edge: enrolled.edgeUrl,
                site: enrolled.siteId,
                appliance: enrolled.applianceId,
                enrolled_at: enrolled.createdAt.getTime(),
              }
            : null,
          link,
        };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        const lines = [
          `daemon:     ${pid ? `running (pid ${pid})` : "not running"}`,
          `enrolled:   ${enrolled ? `${enrolled.applianceId} in site ${enrolled.siteId} of ${enrolled.edgeUrl}` : "no"}`,
          `link:       ${link.status}`,
        ];
        if ("protocol" in link) {
          lines.push(
            `protocol:   ${link.protocol ?? "-"}`,
            `connected:  ${iso(link.connected_since)}`,
            `rtt:        ${link.rtt_ms === null ? "-" : `${link.rtt_ms} ms`}`,
            `reconnects: ${link.reconnects}`,
            `last error: ${link.last_error ?? "-"}`,
          );
          if (link.retry_at) lines.push(`next try:   ${iso(link.retry_at)}`);
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });
}
