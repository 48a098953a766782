import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp";
import type { Logger } from "pino";

/** The llama.cpp backend in use and how it was chosen. */
export interface LlamaRuntime {
  llama: Llama;
  /** `cuda`, `vulkan`, `metal` or `cpu`. */
  backend: string;
  threads: number;
}

/** Options of {@link createLlamaRuntime}. */
export interface LlamaRuntimeOptions {
  /** `auto` tries CUDA, Vulkan, Metal, then CPU. */
  gpu: "auto" | "cuda" | "vulkan" | "metal" | "cpu";
  /** Explicit CPU threads (node-llama-cpp's default is slow on small machines). */
  threads: number;
  logger?: Logger;
}

const levelNames: Partial<Record<LlamaLogLevel, "error" | "warn" | "info" | "debug">> = {
  [LlamaLogLevel.fatal]: "error",
  [LlamaLogLevel.error]: "error",
  [LlamaLogLevel.warn]: "warn",
  [LlamaLogLevel.info]: "debug",
  [LlamaLogLevel.log]: "debug",
  [LlamaLogLevel.debug]: "debug",
};

/**
 * Loads llama.cpp once per process. A GPU build is used when its binary loads; otherwise CPU.
 * Nothing is downloaded or compiled: only prebuilt binaries shipped with the npm packages.
 */
export async function createLlamaRuntime(options: LlamaRuntimeOptions): Promise<LlamaRuntime> {
  const llama = await getLlama({
    gpu: options.gpu === "cpu" ? false : options.gpu,
    build: "never",
    maxThreads: options.threads,
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const text = message.trim();
      // llama.cpp warns about optional special tokens many GGUFs leave unset; not actionable.
      if (!text || /bad special token/.test(text)) return;
      const method = levelNames[level] ?? "debug";
      options.logger?.[method]({ component: "llama.cpp" }, text);
    },
  });
  return { llama, backend: llama.gpu === false ? "cpu" : llama.gpu, threads: options.threads };
}
