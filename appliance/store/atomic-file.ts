/**
 * Crash-safe file writes shared by backups and data archives: a reader sees the old file or
 * the complete new one, never a torn one, and a rename survives power loss.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { type FileHandle, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";

/** Flushes a directory entry (a create or rename in it) to disk. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `file` through a fsynced temporary file and a rename (mode 0600). */
export function writeFileAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDir(dirname(file));
}

/** Renames and makes the rename durable. */
export function renameDurable(from: string, to: string): void {
  renameSync(from, to);
  fsyncDir(dirname(to));
}

/**
 * The end of a streamed atomic write: fsyncs and closes `handle` (open on `tmp`; closed also on
 * failure), renames `tmp` to `file` and makes the rename durable. Nothing is held in memory.
 */
export async function commitAtomic(handle: FileHandle, tmp: string, file: string): Promise<void> {
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  fsyncDir(dirname(file));
}

/** sha256 (hex) and length of a stream's bytes. */
export async function digestStream(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** sha256 (hex) and size of a file, streamed. */
export function digestFile(file: string): Promise<{ sha256: string; bytes: number }> {
  return digestStream(createReadStream(file));
}
