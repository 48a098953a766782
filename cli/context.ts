import type { Command } from "commander";
import { createClient, type TextNlpClient, TextNlpError } from "../shared/sdk/index.ts";
import { type CliSettings, type GlobalFlags, loadSettings, UsageError } from "./config.ts";

/** Exit codes: scripts can tell usage errors, server errors and unfinished jobs apart. */
export const EXIT = { ok: 0, server: 1, usage: 2, jobUnfinished: 3 } as const;

/** What a command action receives. */
export interface Context {
  client: TextNlpClient;
  settings: CliSettings;
  json: boolean;
  print(value: unknown, text: string): void;
}

/**
 * Wraps a command action: builds the client from the global flags and turns errors into a
 * message on stderr and the right exit code.
 */
export function withClient<A extends unknown[]>(
  action: (ctx: Context, ...args: A) => Promise<void>,
) {
  return async function run(this: Command, ...args: A): Promise<void> {
    const flags = this.optsWithGlobals() as GlobalFlags;
    try {
      const settings = loadSettings(flags);
      const json = flags.json === true;
      const client = createClient({ baseUrl: settings.endpoint, apiKey: settings.apiKey });
      await action(
        {
          client,
          settings,
          json,
          print: (value, text) =>
            process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`),
        },
        ...args,
      );
    } catch (err) {
      reportError(err);
    }
  };
}

/**
 * Wraps an action that needs no server (such as `validate`, which computes metrics here): the
 * same `--json` handling and exit codes as {@link withClient}.
 */
export function withoutServer<A extends unknown[]>(
  action: (ctx: { json: boolean }, ...args: A) => Promise<void> | void,
) {
  return async function run(this: Command, ...args: A): Promise<void> {
    const flags = this.optsWithGlobals() as GlobalFlags;
    try {
      await action({ json: flags.json === true }, ...args);
    } catch (err) {
      reportError(err);
    }
  };
}

/** Turns an error into a message on stderr and its exit code; unknown errors are rethrown. */
function reportError(err: unknown): void {
  if (err instanceof UsageError) exit(EXIT.usage, err.message);
  else if (err instanceof TextNlpError)
    exit(
      err.status < 500 ? EXIT.usage : EXIT.server,
      `${err.status} ${err.code ?? ""} ${err.message}`.replace(/\s+/g, " "),
    );
  else if (err instanceof TypeError && /fetch failed/.test(err.message))
    exit(
      EXIT.server,
      `cannot reach the server: ${(err.cause as Error | undefined)?.message ?? err.message}`,
    );
  else throw err;
}

/** Prints a message and sets the exit code. */
export function exit(code: number, message: string): void {
  process.stderr.write(`textnlp: ${message}\n`);
  process.exitCode = code;
}
