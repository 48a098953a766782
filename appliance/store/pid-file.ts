import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The file the daemon writes while it holds the database of a data directory. */
export const pidFilePath = (dataDir: string) => join(dataDir, "appliance.pid");

/** Records this process as the daemon of `dataDir`; the returned function removes the file. */
export function writePidFile(dataDir: string): () => void {
  const file = pidFilePath(dataDir);
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    // Only our own: a second daemon started by mistake must not delete the first one's file.
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  };
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The pid of a live daemon holding `dataDir`, or null. A file left by a crashed daemon (its
 * process is gone) does not count.
 */
export function runningDaemonPid(dataDir: string): number | null {
  const pid = readPid(pidFilePath(dataDir));
  if (pid === null || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, owned by another user (e.g. the service account).
    return (err as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}
