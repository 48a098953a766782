/**
 * Wiring of the appliance daemon: configuration, store, llama.cpp, models, HTTP server, and
 * shutdown. Nothing else here: each part lives in its own folder.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";
import { apiKeyExists, countActiveApiKeys, createApiKey } from "../shared/identity/api-keys.ts";
import { createApplianceApp } from "./api/app.ts";
import type { ApplianceServices } from "./api/types.ts";
import { type Config, isLoopback } from "./config.ts";
import { ensureDemoModel } from "./inference/demo-model.ts";
import { LlamaEngine } from "./inference/engine/index.ts";
import { ModelHost } from "./inference/model-host.ts";
import { ModelRegistry } from "./inference/registry.ts";
import { createLlamaRuntime } from "./inference/runtime.ts";
import { JobManager } from "./jobs/manager.ts";
import { startLink } from "./link/start.ts";
import { observeEngine } from "./metrics/engine.ts";
import { createGpuReader } from "./metrics/gpu.ts";
import { ApplianceMetrics } from "./metrics/metrics.ts";
import { UsageMeter } from "./metrics/usage-meter.ts";
import { databasePath, openStore } from "./store/db.ts";
import { writePidFile } from "./store/pid-file.ts";
import { latestBackupState } from "./store/queries/backups.ts";
import { jobsWithStatus } from "./store/queries/jobs.ts";
import { LOCAL_TENANT } from "./store/queries/tenants.ts";
import { ApplianceTracer } from "./tracing/tracer.ts";
import { VERSION } from "./version.ts";

/** A running appliance. */
export interface RunningAppliance {
  url: string;
  services: ApplianceServices;
  /** Drains in-flight requests (up to the shutdown timeout) and releases everything. Runs once. */
  close(): Promise<void>;
}

/** Raised when the appliance must not start as configured. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Starts the daemon: opens the store, registers models, loads llama.cpp and listens. */
export async function startAppliance(config: Config, logger: Logger): Promise<RunningAppliance> {
  // A restore asked for from the panel is applied before the database is opened; a failed
  // one is recorded (the Backups page shows it) and the daemon starts on the current database.
  const { applyPendingRestore, recordRestore } = await import("./backup/pending-restore.ts");
  const restored = await applyPendingRestore({
    dataDir: config.dataDir,
    backupDir: config.backup.dir,
    keyFile: config.backup.keyFile,
    logger,
  });
  const store = openStore(databasePath(config.dataDir));
  // The pid file tells `restore` the database is held; removed after the store closes.
  const disposers: (() => Promise<void> | void)[] = [
    writePidFile(config.dataDir),
    () => store.close(),
  ];
  const disposeAll = async () => {
    for (const dispose of disposers.reverse()) {
      try {
        await dispose();
      } catch (err) {
        logger.error({ err }, "error while shutting down");
      }
    }
  };
  try {
    const { db } = store;
    // Into the database now in use: a restore's own entry would be lost if written before it.
    if (restored) await recordRestore(db, restored);
    const lifecycle = await import("./lifecycle/index.ts");
    if (lifecycle.erasuresPending(config.dataDir)) {
      // A restore or an erasure was interrupted: finish it before serving any row.
      const replay = lifecycle.reapplyErasures({ sqlite: store.sqlite, dataDir: config.dataDir });
      logger.warn(replay, "re-applied logged erasures to a database that may have missed them");
    }
    if (config.apiKey && !(await apiKeyExists(db, config.apiKey))) {
      await createApiKey(
        db,
        {
          tenantId: LOCAL_TENANT,
          name: "initial (TEXTNLP_API_KEY)",
          scopes: ["*"],
          expiresAt: null,
          secret: config.apiKey,
        },
        new Date(),
      );
      logger.info("created the initial API key from TEXTNLP_API_KEY");
    }
    const keys = await countActiveApiKeys(db, new Date());
    if (keys === 0 && !isLoopback(config.host)) {
      throw new StartupError(
        `refusing to listen on ${config.host} without API keys: create one with 'textnlp-appliance keys create' or set TEXTNLP_API_KEY`,
      );
    }

    const registry = new ModelRegistry(db, join(config.dataDir, "models"));
    if (config.model) {
      const row = await registry.registerInPlace(config.model, { makeDefault: true });
      logger.info(
        { model: row.name, path: row.path, sha256: row.sha256 },
        "serving model in place",
      );
    } else if (registry.list().length === 0) {
      const row = await ensureDemoModel(registry, join(config.dataDir, "models"));
      logger.warn(
        { model: row.name, path: row.path },
        "no model configured: serving a tiny random-weight DEMO model (its output is gibberish). " +
          "Import a real GGUF with 'textnlp-appliance models import <file.gguf>' or start with '--model <file.gguf>'.",
      );
    }

    const runtime = await createLlamaRuntime({
      gpu: config.inference.gpu,
      threads: config.inference.threads,
      logger,
    });
    disposers.push(() => runtime.llama.dispose());
    logger.info({ backend: runtime.backend, threads: runtime.threads }, "llama.cpp ready");
    const host = new ModelHost(runtime, registry, { ...config.inference, logger });
    disposers.push(() => host.dispose());
    const engine = new LlamaEngine(host, {
      onListenerError: (err) => logger.error({ err }, "engine event listener failed"),
    });
    // Stopped after the jobs and before the store closes (disposers run in reverse): rows still
    // in memory are written, and any recorded later go straight in.
    const usage = new UsageMeter({ db, logger });
    disposers.push(() => usage.stop());
    // Traces only with an endpoint; the last spans are sent after everything else stopped.
    const tracer = config.tracing.otlpEndpoint
      ? new ApplianceTracer({ endpoint: config.tracing.otlpEndpoint, version: VERSION })
      : undefined;
    if (tracer) disposers.unshift(() => tracer.shutdown());
    const jobs = new JobManager({ db, engine, logger, usage, tracer });
    // Registered after the host, so disposal stops job work before models unload.
    disposers.push(() => jobs.stop());
    const metrics = new ApplianceMetrics({
      pools: () =>
        host.loaded.map((m) => ({
          model: m.row.model,
          version: String(m.row.version),
          active: m.pool.active,
          queued: m.pool.queued,
          size: m.pool.size,
        })),
      jobs: () =>
        Promise.all(
          jobsWithStatus(db, ["queued", "running"]).map(async (job) => {
            const { done, total } = (await jobs.snapshot(job.id)).progress;
            return { job: job.id, done, total };
          }),
        ),
      backups: () => latestBackupState(db),
      gpus: createGpuReader(),
      directories: { data: config.dataDir, backups: config.backup.dir },
    });
    observeEngine(engine, metrics);
    // The panel's "run now" uses the same service as the schedule: backups run one at a time.
    const { backupServiceFor, startBackupSchedule } = await import("./backup/index.ts");
    const backups = backupServiceFor(config, store, logger);
    disposers.push(() => backups.close());
    // The restored database predates the backups taken after it: list them again.
    if (restored?.ok) backups.adoptOrphans();
    if (config.backup.enabled) {
      const running = await startBackupSchedule({
        config,
        store,
        logger,
        service: backups,
      }).catch((err: Error) => {
        throw new StartupError(err.message);
      });
      // Before the store closes: a backup in progress finishes first.
      disposers.push(() => running.stop());
    }
    if (config.lifecycle.enabled) {
      let schedule: Awaited<ReturnType<typeof lifecycle.scheduleArchiving>>;
      try {
        schedule = lifecycle.scheduleArchiving(config, store, logger);
      } catch (err) {
        throw new StartupError((err as Error).message);
      }
      disposers.push(() => schedule.stop());
    }
    const services: ApplianceServices = {
      config,
      logger,
      tracer,
      db,
      registry,
      host,
      engine,
      jobs,
      usage,
      metrics,
      backups,
      lifecycle: { draining: false, startedAt: Date.now(), version: VERSION },
    };
    const app = createApplianceApp(services);

    const server = serve({
      fetch: app.fetch,
      hostname: config.host,
      port: config.port,
      ...(config.tls
        ? {
            createServer: createHttpsServer,
            serverOptions: {
              cert: readFileSync(config.tls.cert),
              key: readFileSync(config.tls.key),
            },
          }
        : {}),
    });
    server.on("error", (err) => logger.error({ err }, "server error"));
    await new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once("listening", resolve);
      server.once("error", reject);
    });
    const address = server.address() as AddressInfo;
    const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `${config.tls ? "https" : "http"}://${hostForUrl}:${address.port}`;
    logger.info({ url, auth: keys > 0 ? "api-keys" : "open" }, "listening");
    const resumed = await jobs.resumeInterrupted();
    if (resumed > 0) logger.info({ jobs: resumed }, "resuming jobs interrupted by the last stop");
    if (keys === 0)
      logger.warn(
        "no API keys configured: the API is open to anyone on this machine (loopback only)",
      );

    // The outbound link to the edge, when enrolled; local clients never depend on it.
    const link = startLink(services, app.fetch, logger);
    services.link = link;

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        services.lifecycle.draining = true;
        // Edge requests in flight finish; new ones get 503 and the edge sends them elsewhere.
        await link?.stop(config.shutdownTimeoutMs);
        logger.info("draining in-flight requests");
        // Job work is not an HTTP request: stop it first (it resumes at the next start).
        await jobs.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        if ("closeIdleConnections" in server) server.closeIdleConnections();
        const timeout = new Promise<"timeout">((resolve) =>
          setTimeout(resolve, config.shutdownTimeoutMs, "timeout").unref(),
        );
        if ((await Promise.race([closed, timeout])) === "timeout") {
          logger.warn("shutdown timeout: closing remaining connections");
          if ("closeAllConnections" in server) server.closeAllConnections();
        }
        await disposeAll();
        logger.info("stopped");
      })();
      return closing;
    };
    return { url, services, close };
  } catch (err) {
    await disposeAll();
    throw err;
  }
}
