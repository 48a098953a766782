import { userInfo } from "node:os";
import { join } from "node:path";
import { type AuditRecord, recordAudit } from "../../shared/db/audit.ts";
import { type Config, ConfigError, type ConfigOverrides, loadConfig } from "../config.ts";
import type { ModelRegistry } from "../inference/registry.ts";
import { type Db, databasePath, openStore, type Store } from "../store/db.ts";

/** Common flags, as commander hands them over. */
export interface CommonFlags {
  config?: string;
  dataDir?: string;
}

/** Prints an error for the operator and exits non-zero. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`textnlp-appliance: ${message}\n`);
  process.exit(code);
}

/** Loads the configuration, turning a bad one into a clear message and exit code 2. */
export function configFrom(flags: CommonFlags, extra: ConfigOverrides = {}): Config {
  try {
    return loadConfig({ configFile: flags.config, dataDir: flags.dataDir, ...extra });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
}

/** Runs `fn` with the store of the configured data directory, then closes it. */
export async function withStore<T>(
  flags: CommonFlags,
  fn: (ctx: { config: Config; store: Store }) => Promise<T> | T,
): Promise<T> {
  const config = configFrom(flags);
  const store = openStore(databasePath(config.dataDir));
  try {
    return await fn({ config, store });
  } finally {
    store.close();
  }
}

/**
 * Like {@link withStore}, with the model registry. Loaded on demand: the registry pulls in
 * llama.cpp, which commands that do not touch models should not pay for at start.
 */
export async function withRegistry<T>(
  flags: CommonFlags,
  fn: (ctx: { config: Config; store: Store; registry: ModelRegistry }) => Promise<T> | T,
): Promise<T> {
  const { ModelRegistry } = await import("../inference/registry.ts");
  return withStore(flags, (ctx) =>
    fn({ ...ctx, registry: new ModelRegistry(ctx.store.db, join(ctx.config.dataDir, "models")) }),
  );
}

/** Writes rows as JSON (for scripts) or as an aligned table. */
export function printRows(rows: Record<string, unknown>[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write("(none)\n");
    return;
  }
  const columns = Object.keys(rows[0] as object);
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? "-" : String(v));
  const widths = columns.map((col) =>
    Math.max(col.length, ...rows.map((r) => cell(r[col]).length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  process.stdout.write(
    `${line(columns)}\n${rows.map((r) => line(columns.map((c) => cell(r[c])))).join("\n")}\n`,
  );
}

/**
 * Records a change made from the command line in the audit log, as the `system` actor
 * `cli:<os user>` (who ran it on the box). `detail` must never hold secrets.
 */
export function auditCli(db: Db, entry: Omit<AuditRecord, "actor">): Promise<void> {
  let osUser = "unknown";
  try {
    osUser = userInfo().username;
  } catch {
    // no passwd entry for this uid (containers): still recorded, as "unknown"
  }
  return recordAudit(db, { ...entry, actor: { kind: "system", id: `cli:${osUser}` } }, new Date());
}
