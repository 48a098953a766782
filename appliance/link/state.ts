/**
 * The link's state as `textnlp-appliance status` shows it. The daemon writes it to a small
 * file in the data directory on every change (the CLI is another process).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where the link stands. */
export interface LinkState {
  status: "connecting" | "connected" | "waiting" | "refused" | "stopped";
  edgeUrl: string;
  /** Negotiated protocol version while connected. */
  protocol: number | null;
  connectedAt: number | null;
  lastError: string | null;
  /** Round-trip time of the last heartbeat, in ms. */
  rttMs: number | null;
  /** When the edge last acknowledged a heartbeat (ms since epoch). */
  lastHeartbeatAt: number | null;
  reconnects: number;
  /** When the next attempt is due, while waiting. */
  retryAt: number | null;
  /** When the daemon wrote this (the CLI flags a stale file). */
  updatedAt: number;
  pid: number;
}

const FILE = "link-state.json";

/** The state of a link about to dial for the first time. */
export function initialLinkState(edgeUrl: string, now = Date.now()): LinkState {
  return {
    status: "connecting",
    edgeUrl,
    protocol: null,
    connectedAt: null,
    lastError: null,
    rttMs: null,
    lastHeartbeatAt: null,
    reconnects: 0,
    retryAt: null,
    updatedAt: now,
    pid: process.pid,
  };
}

/** Writes the state atomically (rename), so a reader never sees half a file. */
export function writeLinkState(dataDir: string, state: LinkState): void {
  const path = join(dataDir, FILE);
  writeFileSync(`${path}.tmp`, JSON.stringify(state));
  renameSync(`${path}.tmp`, path);
}

/** The last state the daemon wrote, or null. */
export function readLinkState(dataDir: string): LinkState | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, FILE), "utf8")) as LinkState;
  } catch {
    return null;
  }
}
