/**
 * The effective configuration as the panel's Settings page shows it: every value that needs a
 * restart to change, with the environment variable that sets it. Secrets never leave: the API
 * key, the TLS key, the backup key file and the link proxy (whose URL may carry a password)
 * show only whether they are set.
 */
import { type Config, envMap } from "../config.ts";

/** One read-only row of the Settings page. */
export interface ConfigViewRow {
  key: string;
  value: string;
  /** The environment variable that sets it, when there is one. */
  env: string | null;
}

/** Keys shown only as "set" / "not set". */
const SECRET_KEYS = new Set(["apiKey", "tls.key", "backup.keyFile", "link.proxy"]);

/** Paths shown, in order: the whole schema but the runtime settings (they have their form). */
const PATHS = [
  "host",
  "port",
  "dataDir",
  "model",
  "apiKey",
  "tls.cert",
  "tls.key",
  "corsOrigins",
  "bodyLimitBytes",
  "seedUploadLimitBytes",
  "logLevel",
  "inference.gpu",
  "inference.threads",
  "inference.sequences",
  "inference.queueSize",
  "inference.contextSize",
  "inference.requestTimeoutMs",
  "inference.memoryBudgetBytes",
  "shutdownTimeoutMs",
  "backup.enabled",
  "backup.cron",
  "backup.dir",
  "backup.keyFile",
  "lifecycle.enabled",
  "lifecycle.cron",
  "link.enabled",
  "link.proxy",
  "link.caFile",
  "link.backoffBaseMs",
  "link.backoffMaxMs",
  "link.protocolVersion",
  "panel.sessionHours",
  "panel.lockoutFailures",
  "panel.lockoutWindowSeconds",
];

const envFor = new Map(Object.entries(envMap).map(([name, path]) => [path.join("."), name]));

/** The environment variable that sets a configuration path, if any. */
export const envVariableOf = (path: string): string | undefined => envFor.get(path);

/** The value at a configuration path (`backup.keepHourly`). */
export function configValueAt(config: Config, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.join(", ");
  return String(value);
}

/** The configuration that needs a restart to change, secrets masked. */
export function configView(config: Config): ConfigViewRow[] {
  return PATHS.map((key) => {
    const value = configValueAt(config, key);
    return {
      key,
      value: SECRET_KEYS.has(key) ? (value === undefined ? "not set" : "set") : show(value),
      env: envFor.get(key) ?? null,
    };
  });
}
