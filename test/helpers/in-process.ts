import { rmSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { createApplianceApp } from "../../appliance/api/app.ts";
import type { ApplianceServices } from "../../appliance/api/types.ts";
import { type ConfigOverrides, loadConfig } from "../../appliance/config.ts";
import { LlamaEngine } from "../../appliance/inference/engine/index.ts";
import { ModelHost } from "../../appliance/inference/model-host.ts";
import { ModelRegistry } from "../../appliance/inference/registry.ts";
import { createLlamaRuntime } from "../../appliance/inference/runtime.ts";
import { JobManager } from "../../appliance/jobs/manager.ts";
import { databasePath, openStore } from "../../appliance/store/db.ts";
import { tempDataDir } from "./appliance.ts";

/** An appliance app built in this process with the real engine, driven by `app.request()`. */
export interface InProcessAppliance {
  services: ApplianceServices;
  /** POSTs JSON to a path and returns the status and parsed body. */
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * Builds the appliance's HTTP app around a real llama.cpp engine (one thread) serving the given
 * GGUF files by name, without spawning a daemon: route tests on the tiny models, at a fraction
 * of a process start. Loopback without keys: the API is open.
 */
export async function inProcessAppliance(
  models: { path: string; name?: string }[],
  overrides: ConfigOverrides = {},
): Promise<InProcessAppliance> {
  const dataDir = tempDataDir();
  const config = loadConfig(
    {
      dataDir,
      ...overrides,
      inference: { threads: 1, ...overrides.inference },
      backup: { enabled: false },
      lifecycle: { enabled: false },
    },
    {},
  );
  const logger = pino({ level: "silent" });
  const store = openStore(databasePath(dataDir));
  const registry = new ModelRegistry(store.db, join(dataDir, "models"));
  for (const model of models) await registry.registerInPlace(model.path, { name: model.name });
  const runtime = await createLlamaRuntime({ gpu: "cpu", threads: config.inference.threads });
  const host = new ModelHost(runtime, registry, { ...config.inference, logger });
  const engine = new LlamaEngine(host);
  const jobs = new JobManager({ db: store.db, engine, logger });
  const services: ApplianceServices = {
    config,
    logger,
    db: store.db,
    registry,
    host,
    engine,
    jobs,
    lifecycle: { draining: false, startedAt: Date.now(), version: "test" },
  };
  const app = createApplianceApp(services);
  return {
    services,
    async post(path, body) {
      const res = await app.request(`http://127.0.0.1${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      await jobs.stop();
      await host.dispose();
      await runtime.llama.dispose();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
