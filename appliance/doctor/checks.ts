/**
 * `doctor`: what an operator checks first when the appliance misbehaves. Each check says what
 * it found and, when something is wrong, how to fix it. Checks read; they change nothing.
 */
import { accessSync, constants, existsSync, statfsSync } from "node:fs";
import { createServer } from "node:net";
import Database from "better-sqlite3";
import type { Config } from "../config.ts";
import { erasuresPending, listArchives, readErasureLog } from "../lifecycle/index.ts";
import { databasePath } from "../store/db.ts";
import { runningDaemonPid } from "../store/pid-file.ts";

/** One finding. `warn` is reported but does not fail the run. */
export interface CheckResult {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  /** What to do about it (absent when all is well). */
  fix?: string;
}

/** Options of {@link runChecks}. */
export interface DoctorOptions {
  /** A newest good backup older than this is a problem (scheduled backups only). */
  maxBackupAgeHours: number;
  /** Free space below this in the data directory's file system is a problem. */
  minFreeBytes: number;
  now?: () => Date;
}

/** The earliest plausible time: a clock before it was reset or never set. */
const EARLIEST_PLAUSIBLE = Date.parse("2026-01-01T00:00:00Z");
const GIB = 1024 ** 3;

const ok = (name: string, detail: string): CheckResult => ({ name, status: "ok", detail });
const fail = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: "fail",
  detail,
  fix,
});

async function llamaBackend(config: Config): Promise<CheckResult[]> {
  try {
    const { createLlamaRuntime } = await import("../inference/runtime.ts");
    const runtime = await createLlamaRuntime({ gpu: config.inference.gpu, threads: 1 });
    const backend = runtime.backend;
    await runtime.llama.dispose();
    const wantedGpu = config.inference.gpu !== "auto" && config.inference.gpu !== "cpu";
    return [
      ok("llama.cpp", `the ${backend} backend loads (inference.gpu = ${config.inference.gpu})`),
    ].concat(
      wantedGpu && backend !== config.inference.gpu
        ? [
            fail(
              "llama.cpp",
              `asked for ${config.inference.gpu}, got ${backend}`,
              "install the GPU driver, or set TEXTNLP_GPU=auto",
            ),
          ]
        : [],
    );
  } catch (err) {
    return [
      fail(
        "llama.cpp",
        `no backend loads for inference.gpu = ${config.inference.gpu}: ${(err as Error).message}`,
        config.inference.gpu === "auto" || config.inference.gpu === "cpu"
          ? "reinstall the appliance (its node-llama-cpp binaries are missing or broken)"
          : "install the GPU driver and runtime for that backend, or set TEXTNLP_GPU=auto",
      ),
    ];
  }
}

async function gpus(config: Config): Promise<CheckResult> {
  const si = await import("systeminformation");
  const { controllers } = await si.graphics();
  const names = controllers.map((c) => `${c.vendor} ${c.model}${c.vram ? ` (${c.vram} MB)` : ""}`);
  if (names.length > 0) return ok("gpu", `visible: ${names.join(", ")}`);
  if (config.inference.gpu === "cuda" || config.inference.gpu === "vulkan")
    return fail(
      "gpu",
      "no GPU is visible to this process",
      "check the driver (nvidia-smi / vulkaninfo) and that the service user may open /dev/nvidia*, /dev/dri, /dev/kfd",
    );
  return { name: "gpu", status: "warn", detail: "no GPU visible: inference runs on the CPU" };
}

function disk(config: Config, options: DoctorOptions): CheckResult {
  const dir = existsSync(config.dataDir) ? config.dataDir : ".";
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const detail = `${(free / GIB).toFixed(1)} GiB free of ${((fs.blocks * fs.bsize) / GIB).toFixed(1)} GiB at ${dir}`;
  if (free < options.minFreeBytes)
    return fail(
      "disk",
      detail,
      "free space (old backups, archives, unused models) or move dataDir to a larger disk",
    );
  try {
    if (existsSync(config.dataDir)) accessSync(config.dataDir, constants.W_OK);
  } catch {
    return fail(
      "disk",
      `${config.dataDir} is not writable by this user`,
      "chown the data directory to the service user",
    );
  }
  return ok("disk", detail);
}

/** Integrity, backups and clock all read the database; it is opened once, read-only. */
function database(config: Config, options: DoctorOptions): CheckResult[] {
  const file = databasePath(config.dataDir);
  if (!existsSync(file))
    return [
      {
        name: "database",
        status: "warn",
        detail: `no database yet at ${file} (created at first start)`,
      },
    ];
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return [
      fail(
        "database",
        `cannot open ${file}: ${(err as Error).message}`,
        "restore a backup: textnlp-appliance restore --before <time>",
      ),
    ];
  }
  const results: CheckResult[] = [];
  try {
    let integrity: string;
    try {
      integrity = (db.pragma("integrity_check") as { integrity_check: string }[])
        .map((r) => r.integrity_check)
        .join("; ");
    } catch (err) {
      integrity = (err as Error).message;
    }
    results.push(
      integrity === "ok"
        ? ok("database", `integrity ok (${file})`)
        : fail(
            "database",
            `integrity check failed: ${integrity}`,
            "stop the appliance and restore a backup: textnlp-appliance restore --before <time>",
          ),
    );
    if (integrity !== "ok") return results;
    const now = (options.now?.() ?? new Date()).getTime();
    const hasBackups = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'backups'").get();
    const newest = hasBackups
      ? (db.prepare("SELECT max(created_at) FROM backups WHERE status != 'failed'").pluck().get() as
          | number
          | null)
      : null;
    const lastFailed = hasBackups
      ? (db.prepare("SELECT status, error FROM backups ORDER BY created_at DESC LIMIT 1").get() as
          | { status: string; error: string | null }
          | undefined)
      : undefined;
    const backupFix = `check the log for 'backup failed' and run 'textnlp-appliance backup now'${config.backup.enabled ? "" : "; enable scheduled backups (TEXTNLP_BACKUP_ENABLED=true)"}`;
    if (newest == null) results.push(fail("backups", "no backup was ever taken", backupFix));
    else {
      const hours = (now - newest) / 3_600_000;
      const age = `newest good backup ${hours.toFixed(1)} h old`;
      if (hours > options.maxBackupAgeHours)
        results.push(
          fail("backups", `${age} (more than ${options.maxBackupAgeHours} h)`, backupFix),
        );
      else if (lastFailed?.status === "failed")
        results.push(
          fail("backups", `${age}, but the latest attempt failed: ${lastFailed.error}`, backupFix),
        );
      else results.push(ok("backups", age));
    }
    if (config.backup.remote && hasBackups) results.push(offsite(db, config, now));
    // A clock behind the newest record went backwards (RTC reset, NTP off).
    if (newest != null && newest > now + 60_000)
      results.push(
        fail(
          "clock",
          `the clock (${new Date(now).toISOString()}) is behind the newest backup (${new Date(newest).toISOString()})`,
          "set the system time (timedatectl, chrony / an NTP server on the site network)",
        ),
      );
  } finally {
    db.close();
  }
  return results;
}

/** The offsite copies (backup.remote): the newest settled upload, and how old the newest good one is. */
function offsite(db: Database.Database, config: Config, now: number): CheckResult {
  const where = config.backup.remote?.url ?? "";
  const fix =
    `check that ${where} is reachable with the configured credentials (AWS_ACCESS_KEY_ID / ` +
    "AWS_SECRET_ACCESS_KEY) and the daemon's log for 'backup upload failed'; failed copies go " +
    "up again with the next backup ('textnlp-appliance backup now')";
  const latest = db
    .prepare(
      "SELECT remote_status AS status, remote_error AS error FROM backups " +
        "WHERE remote_status IN ('uploaded', 'failed') ORDER BY created_at DESC LIMIT 1",
    )
    .get() as { status: string; error: string | null } | undefined;
  const newest = db
    .prepare("SELECT max(remote_uploaded_at) FROM backups WHERE remote_status = 'uploaded'")
    .pluck()
    .get() as number | null;
  if (latest?.status === "failed")
    return fail("offsite backups", `the latest upload to ${where} failed: ${latest.error}`, fix);
  if (newest == null) return fail("offsite backups", `no verified copy in ${where} yet`, fix);
  const hours = ((now - newest) / 3_600_000).toFixed(1);
  return ok("offsite backups", `newest verified copy in ${where} uploaded ${hours} h ago`);
}

function clock(options: DoctorOptions): CheckResult {
  const now = options.now?.() ?? new Date();
  if (now.getTime() < EARLIEST_PLAUSIBLE)
    return fail(
      "clock",
      `the system time ${now.toISOString()} is implausible`,
      "set the system time (timedatectl, chrony / an NTP server on the site network)",
    );
  return ok("clock", `${now.toISOString()} (${Intl.DateTimeFormat().resolvedOptions().timeZone})`);
}

async function port(config: Config): Promise<CheckResult> {
  const pid = runningDaemonPid(config.dataDir);
  if (pid !== null)
    return ok(
      "port",
      `the appliance is running (pid ${pid}) and holds ${config.host}:${config.port}`,
    );
  const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const server = createServer();
    server.once("error", (err) => resolve(err));
    server.listen(config.port, config.host, () => server.close(() => resolve(null)));
  });
  if (!error) return ok("port", `${config.host}:${config.port} is free`);
  return fail(
    "port",
    `cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`,
    error.code === "EADDRINUSE"
      ? `another program uses the port (ss -ltnp 'sport = :${config.port}'): stop it or pick another with --port / TEXTNLP_PORT`
      : "check host (TEXTNLP_HOST) is an address of this machine, and the user may bind the port",
  );
}

/** Erasures not yet applied to the database (an interrupted restore or erasure), archives. */
function lifecycle(config: Config): CheckResult {
  const erasures = readErasureLog(config.dataDir).length;
  if (erasuresPending(config.dataDir))
    return fail(
      "lifecycle",
      "logged erasures may be missing from the database (a restore or an erasure was interrupted)",
      "start the appliance (it replays the erasure log at start), or run 'textnlp-appliance restore' again",
    );
  const archives = listArchives(config.dataDir).length;
  return ok("lifecycle", `${archives} archive file(s), ${erasures} erasure(s) logged and applied`);
}

/** Runs every check; none throws. */
export async function runChecks(config: Config, options: DoctorOptions): Promise<CheckResult[]> {
  return [
    ...(await llamaBackend(config)),
    await gpus(config),
    disk(config, options),
    ...database(config, options),
    lifecycle(config),
    clock(options),
    await port(config),
  ];
}
