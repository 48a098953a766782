/**
 * The appliance's configuration: defaults, then a JSON file, then environment variables, then
 * command-line flags. Validated with zod and frozen; the only module that reads `process.env`.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { z } from "zod";

const Port = z.coerce.number().int().min(0).max(65535);
const Positive = z.coerce.number().int().min(1);
/** A count of days or generations (exported: runtime settings use the same bounds). */
export const Count = z.coerce.number().int().min(0);
/** Booleans from JSON, flags or the environment ("true"/"false"/"1"/"0"). */
const Flag = z.preprocess(
  (v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v),
  z.boolean(),
);

const ConfigSchema = z
  .object({
    /** Interface to bind; loopback unless told otherwise. */
    host: z.string().min(1).default("127.0.0.1"),
    port: Port.default(8080),
    /** Where the database, imported models and backups live. */
    dataDir: z.string().min(1).default(".data"),
    /** A GGUF served in place (registered by path and checksum, not copied). */
    model: z.string().min(1).optional(),
    /** An API key created at start if absent, for unattended installs. */
    apiKey: z.string().min(16, "must be at least 16 characters").optional(),
    tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    /** Origins allowed by CORS; empty means CORS is off. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    bodyLimitBytes: Positive.default(4 * 1024 * 1024),
    /** Seed-row uploads are streamed and have their own, larger limit. */
    seedUploadLimitBytes: Positive.default(256 * 1024 * 1024),
    logLevel: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    inference: z
      .object({
        /** `auto` picks CUDA, Vulkan or Metal when present, else CPU. */
        gpu: z.enum(["auto", "cuda", "vulkan", "metal", "cpu"]).default("auto"),
        /** CPU threads; explicit because node-llama-cpp's default is slow on small machines. */
        threads: Positive.default(Math.max(1, Math.min(availableParallelism(), 8))),
        /** Sequences decoded together per model (continuous batching). */
        sequences: Positive.max(64).default(8),
        /** Requests that may wait for a sequence before new ones get 429. */
        queueSize: z.coerce.number().int().min(0).default(64),
        /** Context tokens per sequence (capped by the model's own). */
        contextSize: Positive.default(2048),
        requestTimeoutMs: Positive.default(300_000),
        /** Bytes of RAM/VRAM the loaded models may use together before least-recently-used unloads. */
        memoryBudgetBytes: Positive.default(8 * 1024 ** 3),
      })
      .strict()
      .prefault({}),
    /** How long SIGTERM waits for in-flight requests before forcing exit. */
    shutdownTimeoutMs: Positive.default(30_000),
    backup: z
      .object({
        /** Scheduled backups in the daemon; `backup now` works either way. */
        enabled: Flag.default(true),
        /**
         * node-cron expression (host time zone). Every 30 minutes by default: the data lost to a
         * disaster is at most the interval plus one backup and upload (bench/recovery measures
         * about a minute for 1 GiB), under the one-hour RPO goal; hourly would miss it.
         */
        cron: z.string().min(1).default("*/30 * * * *"),
        /** Where backup files go; default `<dataDir>/backups` (better: another disk). */
        dir: z.string().min(1).optional(),
        /** Key file (outside the data directory): backups are AES-256-GCM encrypted when set. */
        keyFile: z.string().min(1).optional(),
        /** Generations kept of each scheduled kind. */
        /** The frequent (half-hourly by default) backups: 48 is a day of them. */
        keepHourly: Count.default(48),
        keepDaily: Count.default(7),
        keepWeekly: Count.default(4),
        /**
         * Offsite copies: each verified backup is uploaded to this S3-compatible store (AWS S3,
         * Cloudflare R2, MinIO) and checked there; retention applies there too. Encrypted
         * backups only (a key file is required). Credentials come from the AWS SDK's usual
         * chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, or a credentials file).
         */
        remote: z
          .object({
            /** `s3://bucket/prefix/`: where the copies go. */
            url: z
              .string()
              .regex(
                /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/,
                "must be s3://bucket/prefix",
              ),
            /** The store's endpoint, for anything but AWS (`https://<account>.r2.cloudflarestorage.com`, `http://minio:9000`). */
            endpoint: z.url().optional(),
            region: z.string().min(1).default("us-east-1"),
            /** Path-style addressing (`endpoint/bucket/key`): most S3-compatible servers want it. */
            pathStyle: Flag.default(true),
            /** Multipart part size in MiB (S3's minimum is 5). */
            partSizeMiB: Positive.min(5).default(8),
            /** Upload attempts per backup before it is marked failed (retried with the next). */
            attempts: Positive.default(4),
            /** First wait between attempts, doubling. */
            retryBaseMs: Positive.default(2000),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    /**
     * Data lifecycle: rows older than their hot window move to compressed JSONL archives in
     * `<dataDir>/archive` (the warm tier). A window of 0 days keeps that kind in SQLite forever.
     */
    lifecycle: z
      .object({
        /** Archive on a schedule in the daemon; `data archive` works either way. */
        enabled: Flag.default(true),
        /** node-cron expression (host time zone); daily at 03:30 by default. */
        cron: z.string().min(1).default("30 3 * * *"),
        /** Finished jobs with their seed rows and samples (generations). */
        generationsDays: Count.default(90),
        /** Metered requests (`usage_events`). */
        usageDays: Count.default(90),
        auditDays: Count.default(365),
      })
      .strict()
      .prefault({}),
    /** The hybrid link to the edge (used once enrolled: `textnlp-appliance enroll`). */
    link: z
      .object({
        /** Dial the edge when enrolled; false keeps the appliance local only. */
        enabled: Flag.default(true),
        /** An outbound HTTP(S) proxy for the link (`http://proxy:3128`). */
        proxy: z.url().optional(),
        /** Extra CA certificates (PEM) trusted for the edge, e.g. a TLS-inspecting proxy's. */
        caFile: z.string().min(1).optional(),
        /** Reconnect backoff: first wait and cap (jittered exponential in between). */
        backoffBaseMs: Positive.default(1000),
        backoffMaxMs: Positive.default(60_000),
        /** Speak an older protocol version (a staged fleet upgrade, and tests); default newest. */
        protocolVersion: Count.optional(),
      })
      .strict()
      .prefault({}),
    /**
     * OpenTelemetry tracing: with an OTLP/HTTP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, spans go
     * to `<endpoint>/v1/traces`), each API request is a trace (or joins its caller's, from
     * `traceparent` or the edge's link frame) with queue wait, prompt processing and generation
     * spans. Without one nothing is made or sent.
     */
    tracing: z.object({ otlpEndpoint: z.url().optional() }).strict().prefault({}),
    /** The admin web panel under `/panel`. */
    panel: z
      .object({
        /** Hours a login lasts (absolute, not sliding). */
        sessionHours: Positive.default(8),
        /** Failed logins of one user name in a row that lock it (as the edge's sign-in). */
        lockoutFailures: Positive.default(5),
        /** How long (seconds) the lock lasts. */
        lockoutWindowSeconds: Positive.default(900),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = Readonly<z.infer<typeof ConfigSchema>> & {
  readonly inference: Readonly<z.infer<typeof ConfigSchema>["inference"]>;
  readonly backup: Readonly<z.infer<typeof ConfigSchema>["backup"]> & { readonly dir: string };
  readonly lifecycle: Readonly<z.infer<typeof ConfigSchema>["lifecycle"]>;
  readonly link: Readonly<z.infer<typeof ConfigSchema>["link"]>;
  readonly panel: Readonly<z.infer<typeof ConfigSchema>["panel"]>;
  readonly tracing: Readonly<z.infer<typeof ConfigSchema>["tracing"]>;
};
/** What a command line may set; undefined fields are left to file, environment and defaults. */
export type ConfigOverrides = {
  [K in keyof z.input<typeof ConfigSchema>]?: z.input<typeof ConfigSchema>[K];
} & {
  configFile?: string;
};

/** Raised for a bad configuration; the message names the field. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Environment variables and the configuration paths they set. */
export const envMap: Record<string, string[]> = {
  TEXTNLP_HOST: ["host"],
  TEXTNLP_PORT: ["port"],
  TEXTNLP_DATA_DIR: ["dataDir"],
  TEXTNLP_MODEL: ["model"],
  TEXTNLP_API_KEY: ["apiKey"],
  TEXTNLP_TLS_CERT: ["tls", "cert"],
  TEXTNLP_TLS_KEY: ["tls", "key"],
  TEXTNLP_CORS_ORIGINS: ["corsOrigins"],
  TEXTNLP_BODY_LIMIT: ["bodyLimitBytes"],
  TEXTNLP_SEED_UPLOAD_LIMIT: ["seedUploadLimitBytes"],
  TEXTNLP_LOG_LEVEL: ["logLevel"],
  TEXTNLP_GPU: ["inference", "gpu"],
  TEXTNLP_THREADS: ["inference", "threads"],
  TEXTNLP_SEQUENCES: ["inference", "sequences"],
  TEXTNLP_QUEUE_SIZE: ["inference", "queueSize"],
  TEXTNLP_CONTEXT_SIZE: ["inference", "contextSize"],
  TEXTNLP_REQUEST_TIMEOUT_MS: ["inference", "requestTimeoutMs"],
  TEXTNLP_MEMORY_BUDGET: ["inference", "memoryBudgetBytes"],
  TEXTNLP_SHUTDOWN_TIMEOUT_MS: ["shutdownTimeoutMs"],
  TEXTNLP_BACKUP_ENABLED: ["backup", "enabled"],
  TEXTNLP_BACKUP_CRON: ["backup", "cron"],
  TEXTNLP_BACKUP_DIR: ["backup", "dir"],
  TEXTNLP_BACKUP_KEY_FILE: ["backup", "keyFile"],
  TEXTNLP_BACKUP_REMOTE: ["backup", "remote", "url"],
  TEXTNLP_BACKUP_REMOTE_ENDPOINT: ["backup", "remote", "endpoint"],
  TEXTNLP_BACKUP_REMOTE_REGION: ["backup", "remote", "region"],
  TEXTNLP_BACKUP_REMOTE_RETRY_BASE_MS: ["backup", "remote", "retryBaseMs"],
  TEXTNLP_BACKUP_KEEP_HOURLY: ["backup", "keepHourly"],
  TEXTNLP_BACKUP_KEEP_DAILY: ["backup", "keepDaily"],
  TEXTNLP_BACKUP_KEEP_WEEKLY: ["backup", "keepWeekly"],
  TEXTNLP_LIFECYCLE_ENABLED: ["lifecycle", "enabled"],
  TEXTNLP_LIFECYCLE_CRON: ["lifecycle", "cron"],
  TEXTNLP_RETAIN_GENERATIONS_DAYS: ["lifecycle", "generationsDays"],
  TEXTNLP_RETAIN_USAGE_DAYS: ["lifecycle", "usageDays"],
  TEXTNLP_RETAIN_AUDIT_DAYS: ["lifecycle", "auditDays"],
  TEXTNLP_LINK_ENABLED: ["link", "enabled"],
  TEXTNLP_LINK_PROXY: ["link", "proxy"],
  TEXTNLP_LINK_CA_FILE: ["link", "caFile"],
  TEXTNLP_LINK_BACKOFF_BASE_MS: ["link", "backoffBaseMs"],
  TEXTNLP_LINK_BACKOFF_MAX_MS: ["link", "backoffMaxMs"],
  TEXTNLP_LINK_PROTOCOL: ["link", "protocolVersion"],
  OTEL_EXPORTER_OTLP_ENDPOINT: ["tracing", "otlpEndpoint"],
  TEXTNLP_PANEL_SESSION_HOURS: ["panel", "sessionHours"],
  TEXTNLP_PANEL_LOCKOUT_FAILURES: ["panel", "lockoutFailures"],
  TEXTNLP_PANEL_LOCKOUT_WINDOW_SECONDS: ["panel", "lockoutWindowSeconds"],
};

type Json = Record<string, unknown>;

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] as string] = value;
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] =
      value &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      prev &&
      typeof prev === "object" &&
      !Array.isArray(prev)
        ? merge(prev as Json, value as Json)
        : value;
  }
  return out;
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("expected a JSON object");
    return parsed as Json;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Builds the configuration. `env` defaults to the process environment; tests pass their own.
 * Relative paths resolve against the working directory.
 */
export function loadConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const { configFile = env.TEXTNLP_CONFIG, ...flags } = overrides;
  let raw: Json = configFile ? readConfigFile(configFile) : {};
  const fromEnv: Json = {};
  for (const [name, path] of Object.entries(envMap)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    setPath(
      fromEnv,
      path,
      name === "TEXTNLP_CORS_ORIGINS"
        ? value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : value,
    );
  }
  raw = merge(merge(raw, fromEnv), flags as Json);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(root)";
    const source = configFile ? ` (file ${configFile}, environment or flags)` : "";
    throw new ConfigError(`invalid configuration: ${field}: ${issue?.message}${source}`);
  }
  const config = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(p));
  config.dataDir = abs(config.dataDir);
  if (config.model) config.model = abs(config.model);
  if (config.tls) config.tls = { cert: abs(config.tls.cert), key: abs(config.tls.key) };
  config.backup.dir = abs(config.backup.dir ?? join(config.dataDir, "backups"));
  if (config.link.caFile) config.link.caFile = abs(config.link.caFile);
  if (config.link.backoffMaxMs < config.link.backoffBaseMs) {
    throw new ConfigError("invalid configuration: link.backoffMaxMs: must be >= backoffBaseMs");
  }
  if (config.backup.remote && !config.backup.keyFile) {
    throw new ConfigError(
      "invalid configuration: backup.remote: offsite copies must be encrypted: set " +
        "backup.keyFile (TEXTNLP_BACKUP_KEY_FILE) to a key file kept outside the data directory",
    );
  }
  if (config.backup.keyFile) {
    config.backup.keyFile = abs(config.backup.keyFile);
    // A key stored with the data would travel with any copy of it.
    const rel = relative(config.dataDir, config.backup.keyFile);
    if (!(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)))
      throw new ConfigError(
        "invalid configuration: backup.keyFile: must live outside the data directory",
      );
  }
  return deepFreeze(config) as Config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
