import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";

import { ROOT } from "./models.ts";

export { ROOT, STORIES_MODEL, TINY_RANDOM_LONG_MODEL, TINY_RANDOM_MODEL } from "./models.ts";

/** A log line of the appliance (pino JSON). */
export type LogLine = Record<string, unknown> & { msg?: string };

/** An appliance process started by a test. */
export interface ApplianceProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  logs: LogLine[];
  stderr: string[];
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Removes the data directory (after stop). */
  cleanup(): void;
}

/** Options of {@link startAppliance}. */
export interface StartOptions {
  args?: string[];
  env?: Record<string, string>;
  dataDir?: string;
  /** How long to wait for "listening". */
  timeoutMs?: number;
}

/** Runs `textnlp-appliance <args>` to completion and returns its output. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
) {
  return runBin("bin/textnlp-appliance.js", args, options);
}

/** Runs the user tool `textnlp <args>` to completion and returns its output. */
export function runTextnlp(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
) {
  return runBin("bin/textnlp.js", args, options);
}

function runBin(
  bin: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string },
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolvePromise, reject) => {
      const proc = spawn(process.execPath, [join(ROOT, bin), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      proc.stdout.on("data", (d) => (stdout += d));
      proc.stderr.on("data", (d) => (stderr += d));
      proc.on("error", reject);
      proc.on("exit", (code) => resolvePromise({ code, stdout, stderr }));
      proc.stdin.end(options.input ?? "");
    },
  );
}

/** Polls `probe` every 25 ms until it gives a value; throws after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 240_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads the appliance database beside the running process (WAL: readers do not block it). */
export function queryDataDir<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, "textnlp.sqlite"), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Makes an empty temporary data directory. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "textnlp-test-"));
}

/**
 * Starts a real appliance process (`textnlp-appliance serve --port 0`) and waits until it logs
 * the URL it listens on. It is stopped by `stop()`, and killed if the test process exits.
 */
export async function startAppliance(options: StartOptions = {}): Promise<ApplianceProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const proc = spawn(
    process.execPath,
    [
      join(ROOT, "bin/textnlp-appliance.js"),
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, TEXTNLP_THREADS: "1", TEXTNLP_LOG_LEVEL: "info", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  createInterface({ input: proc.stderr }).on("line", (line) => stderr.push(line));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `appliance did not start in time:\n${stderr.join("\n")}\n${JSON.stringify(logs)}`,
          ),
        ),
      options.timeoutMs ?? 60_000,
    );
    createInterface({ input: proc.stdout }).on("line", (line) => {
      let entry: LogLine;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry.msg === "listening" && typeof entry.url === "string") {
        clearTimeout(timer);
        resolveUrl(entry.url);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `appliance exited with ${code} before listening:\n${stderr.join("\n")}\n${JSON.stringify(logs)}`,
        ),
      );
    });
  });
  return {
    url,
    dataDir,
    proc,
    logs,
    stderr,
    stop(signal = "SIGTERM") {
      process.off("exit", killOnExit);
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
      return new Promise((resolveExit) => {
        proc.once("exit", (code) => resolveExit(code));
        proc.kill(signal);
      });
    },
    cleanup() {
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
