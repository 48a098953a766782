import type { Command } from "commander";
import { ConfigError, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import type { RunningAppliance } from "../main.ts";
import { fail } from "./context.ts";
import { parsePortOption, withCommonOptions } from "./options.ts";

/** `serve`: runs the daemon until SIGTERM / SIGINT, then drains and exits. */
export function registerServeCommand(program: Command): void {
  withCommonOptions(program.command("serve").description("serve the OpenAI-compatible API"))
    .option("--host <host>", "interface to listen on (default 127.0.0.1)")
    .option("--port <port>", "TCP port (default 8080; 0 picks a free one)", parsePortOption)
    .option(
      "--model <gguf>",
      "serve this GGUF file in place (registered by path and checksum, not copied)",
    )
    .action(
      async (flags: {
        config?: string;
        dataDir?: string;
        host?: string;
        port?: number;
        model?: string;
      }) => {
        let config: ReturnType<typeof loadConfig>;
        try {
          config = loadConfig({
            configFile: flags.config,
            dataDir: flags.dataDir,
            host: flags.host,
            port: flags.port,
            model: flags.model,
          });
        } catch (err) {
          if (err instanceof ConfigError) fail(err.message, 2);
          throw err;
        }
        const logger = createLogger(config.logLevel);
        // Loaded here, not at the top: the other commands should not pay for llama.cpp at start.
        const { StartupError, startAppliance } = await import("../main.ts");
        let running: RunningAppliance;
        try {
          running = await startAppliance(config, logger);
        } catch (err) {
          if (err instanceof StartupError) fail(err.message, 2);
          logger.fatal({ err }, "failed to start");
          process.exit(1);
        }
        let stopping = false;
        /** Drains and exits with `code` (0, or RESTART_EXIT_CODE for a supervisor to restart). */
        const stop = (signal: string, code = 0) => {
          if (stopping) {
            logger.warn({ signal }, "second signal: exiting now");
            process.exit(1);
          }
          stopping = true;
          logger.info({ signal }, code === 0 ? "shutting down" : "restarting");
          // The drain has its own timeout; this one guards against a hang in disposal itself.
          setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 10_000).unref();
          running.close().then(
            () => process.exit(code),
            (err) => {
              logger.error({ err }, "shutdown failed");
              process.exit(1);
            },
          );
        };
        const { RESTART_EXIT_CODE } = await import("../backup/pending-restore.ts");
        running.services.restart = (reason) => stop(reason, RESTART_EXIT_CODE);
        process.on("SIGTERM", () => stop("SIGTERM"));
        process.on("SIGINT", () => stop("SIGINT"));
      },
    );
}
