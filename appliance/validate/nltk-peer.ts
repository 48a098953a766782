/**
 * Runs NLTK (Debian's `python3-nltk`) as a peer: for the differential tests and the benchmark.
 * The Python side is `nltk-peer.py` beside this file; it speaks one JSON line per request.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundledWordNetDir } from "./wordnet.ts";

/** The peer script. */
export const NLTK_PEER_SCRIPT = fileURLToPath(new URL("./nltk-peer.py", import.meta.url));

/** Debian's interpreter first: `python3` on PATH may be another one without NLTK (pyenv). */
const PYTHON_CANDIDATES = ["/usr/bin/python3", "python3"];

/** A Python interpreter that imports NLTK 3.x, or undefined when there is none. */
export function findNltkPython(): { python: string; version: string } | undefined {
  for (const python of PYTHON_CANDIDATES) {
    const probe = spawnSync(python, ["-c", "import nltk; print(nltk.__version__)"], {
      encoding: "utf8",
    });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

/** Debian's `wordnet-base` (WordNet 3.0) when installed, else the npm package's copy of 3.0. */
export function peerWordNetDir(): string {
  return existsSync("/usr/share/wordnet/data.noun") ? "/usr/share/wordnet" : bundledWordNetDir();
}

/** Sends one request to the peer and returns its JSON answer. */
export function askNltk<T>(python: string, request: object): T {
  const run = spawnSync(python, [NLTK_PEER_SCRIPT], {
    input: `${JSON.stringify(request)}\n`,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`nltk-peer.py failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
