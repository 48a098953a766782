/**
 * Small helpers every bench shares: medians, interleaved repeats, a plain table, and the peer
 * processes a bench starts (each stops by itself, and all stop on exit, error or Ctrl-C).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs every contender once per round, in the same order, for `rounds` rounds; returns samples. */
export async function interleave<K extends string, T = number>(
  rounds: number,
  contenders: Record<K, () => Promise<T>>,
): Promise<Record<K, T[]>> {
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, [] as T[]])) as Record<
    K,
    T[]
  >;
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(contenders) as [K, () => Promise<T>][]) {
      samples[name].push(await run());
    }
  }
  return samples;
}

/** Prints rows as an aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object);
  const cell = (v: string | number | undefined) =>
    typeof v === "number" ? v.toFixed(v < 10 ? 3 : 1) : String(v ?? "");
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i] as number)).join("  ");
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
}

/** The value below which `fraction` (0..1) of `values` lie (nearest rank). */
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * What a bench has started, stopped once in reverse order: at the end of `run`, when it throws,
 * and on SIGINT / SIGTERM (then the process exits 130).
 */
export class Resources {
  readonly #stops: (() => Promise<unknown>)[] = [];
  #stopping: Promise<void> | undefined;

  /** Registers `stop` to run at the end. */
  add(stop: () => Promise<unknown>): void {
    this.#stops.push(stop);
  }

  /** Stops everything registered so far (once; later calls wait for the first). */
  stopAll(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const stop of this.#stops.splice(0).reverse()) {
        await stop().catch((err: unknown) => console.error("while stopping:", err));
      }
    })();
    return this.#stopping;
  }

  /** Runs `body`, then stops everything, whatever happens. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    const onSignal = () => void this.stopAll().finally(() => process.exit(130));
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      return await body();
    } finally {
      await this.stopAll();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}

/** A process a bench started. */
export interface Child {
  proc: ChildProcess;
  /** The last few kilobytes it wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves when it has exited. */
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command` under coreutils `timeout`, so it ends by itself after `lifetimeS` even if
 * this process dies without stopping it (SIGKILL: `npx tsx` sends one to a child that is slow to
 * acknowledge a relayed Ctrl-C); `timeout` passes our SIGTERM on to it.
 */
export function startChild(
  command: string,
  args: string[],
  { lifetimeS, env }: { lifetimeS: number; env?: NodeJS.ProcessEnv },
): Child {
  const proc = spawn("timeout", ["-k", "5", String(Math.ceil(lifetimeS)), command, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4096);
  };
  // Always read the pipes: a child whose pipe fills up blocks.
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once("exit", () => resolve());
  });
  return {
    proc,
    output: () => tail,
    exited,
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first match of `pattern` in what `child` writes, or throws after `timeoutMs`. */
export function waitForOutput(
  child: Child,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.output());
      if (!match) return;
      done();
      resolve(match);
    };
    const fail = (why: string) => {
      done();
      reject(
        new Error(
          `no ${pattern} in the output of ${child.proc.spawnargs.join(" ")} (${why}):\n${child.output()}`,
        ),
      );
    };
    const timer = setTimeout(() => fail("timed out"), timeoutMs);
    const onExit = () => fail("it exited");
    const done = () => {
      clearTimeout(timer);
      child.proc.stdout?.off("data", check);
      child.proc.stderr?.off("data", check);
      child.proc.off("exit", onExit);
    };
    child.proc.stdout?.on("data", check);
    child.proc.stderr?.on("data", check);
    child.proc.once("exit", onExit);
    check();
  });
}

/** Resolves once `url` answers (any status), or throws after `timeoutMs` or if `child` exits. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    const up = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${url} did not come up (${exited ? "the process exited" : "timed out"}):\n${child.output()}`,
  );
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * For Miniflare's `handleRuntimeStdio`: passes workerd's output on, less the write error ("Broken
 * pipe", "Connection reset by peer", and its stack line) it logs whenever a load generator closes a connection with an answer
 * still on its way, which every timed run at a concurrency above one ends by doing.
 */
export function quietBrokenPipes(stdout: Readable, stderr: Readable): void {
  stdout.pipe(process.stdout);
  let skipStack = false;
  createInterface({ input: stderr }).on("line", (line) => {
    const closed = /disconnected: ::write\(.*(Broken pipe|Connection reset by peer)/.test(line);
    const skip = closed || (skipStack && line.startsWith("stack:"));
    skipStack = closed;
    if (!skip) process.stderr.write(`${line}\n`);
  });
}
