import { type Command, InvalidArgumentError, Option } from "commander";

/** Parses a TCP port option. */
export function parsePortOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError("must be a port number (0-65535)");
  return port;
}

/** Options every command takes to find its configuration and data. */
export function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option("--config <file>", "JSON configuration file").env("TEXTNLP_CONFIG"))
    .option(
      "--data-dir <dir>",
      "data directory (database, imported models); default .data or TEXTNLP_DATA_DIR",
    );
}
