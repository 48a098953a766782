/**
 * llama-server, the appliance's peer in the throughput bench: started on a model with the same
 * threads and parallel sequences, its log kept in a file so a bench can say whether it ran on a
 * GPU (llama.cpp writes the device and the offloaded layers there while loading).
 */
import { readFileSync } from "node:fs";
import { type Child, freePort, startChild } from "./lib.ts";

/** Options of {@link startLlamaServer}. */
export interface LlamaServerOptions {
  /** The llama-server binary. */
  binary: string;
  modelPath: string;
  threads: number;
  /** Parallel sequences (`-np`), each with a context of `contextSize` tokens. */
  sequences: number;
  contextSize: number;
  /** Layers offloaded to the GPU (`-ngl`): 0 for CPU, 99 for all. */
  gpuLayers: number;
  /** Where llama-server writes its log (`--log-file`). */
  logFile: string;
  /** Seconds after which it ends by itself even if the bench dies. */
  lifetimeS?: number;
}

/** A running llama-server. */
export interface LlamaServer {
  url: string;
  child: Child;
  logFile: string;
}

/** Starts llama-server and waits until its model is loaded (`/health` answers 200). */
export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const port = await freePort();
  const args = [
    ["-m", options.modelPath],
    ["-t", String(options.threads)],
    ["-tb", String(options.threads)],
    ["-np", String(options.sequences)],
    ["-c", String(options.contextSize * options.sequences)],
    ["-ngl", String(options.gpuLayers)],
    ["--log-file", options.logFile],
    ["--host", "127.0.0.1"],
    ["--port", String(port)],
  ].flat();
  const child = startChild(options.binary, args, { lifetimeS: options.lifetimeS ?? 3600 });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.proc.exitCode === null) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, child, logFile: options.logFile };
    await new Promise((r) => setTimeout(r, 100));
  }
  await child.stop();
  throw new Error(`llama-server did not start:\n${child.output()}`);
}

/** Where llama-server put the model, from its log: the devices it used and the offloaded layers. */
export function llamaServerPlacement(logFile: string): {
  devices: string[];
  offloaded: number;
  layers: number;
} {
  const log = readFileSync(logFile, "utf8");
  const devices = [...log.matchAll(/using device (\S+)/g)].map((m) => m[1] as string);
  const offload = /offloaded (\d+)\/(\d+) layers to GPU/.exec(log);
  return {
    devices,
    offloaded: Number(offload?.[1] ?? 0),
    layers: Number(offload?.[2] ?? 0),
  };
}
