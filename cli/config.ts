/**
 * The `textnlp` tool's settings: a JSON config file (`--config`, `TEXTNLP_CLI_CONFIG`, or
 * `~/.config/textnlp/config.json`), then environment, then flags. The only reader of
 * `process.env` for the tool.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

const Settings = z
  .object({
    endpoint: z.string().url().default("http://127.0.0.1:8080"),
    apiKey: z.string().min(1).optional(),
    /** Defaults for `generate`. */
    model: z.string().min(1).optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
  })
  .strict();
export type CliSettings = z.infer<typeof Settings>;

/** Flags every command takes. */
export interface GlobalFlags {
  config?: string;
  endpoint?: string;
  apiKey?: string;
  json?: boolean;
}

/** Raised for bad settings; exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Reads the settings in order: file, environment, flags. */
export function loadSettings(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
): CliSettings {
  const file =
    flags.config ??
    env.TEXTNLP_CLI_CONFIG ??
    join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "textnlp", "config.json");
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (flags.config) {
    throw new UsageError(`config file ${file} does not exist`);
  }
  const merged = {
    ...fromFile,
    ...(env.TEXTNLP_ENDPOINT ? { endpoint: env.TEXTNLP_ENDPOINT } : {}),
    ...(env.TEXTNLP_API_KEY ? { apiKey: env.TEXTNLP_API_KEY } : {}),
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
  };
  const parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`invalid setting ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data;
}
