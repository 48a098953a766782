/**
 * The edge as it deploys: an esbuild bundle of `edge/index.ts` run in Miniflare (workerd) with
 * a local D1 that has the shared migrations applied. For end-to-end tests and benches from Node.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { build, type Plugin } from "esbuild";
import { Miniflare } from "miniflare";
import { generateApiKeySecret, hashApiKey, randomId } from "../../shared/auth/api-keys.ts";
import { ROOT } from "./appliance.ts";

/** A running edge. */
export interface EdgeWorker {
  mf: Miniflare;
  /** The Worker's HTTP address on loopback (for load generators and other processes). */
  url: string;
  /** The bundle it runs (for reading a CPU profile's line numbers). */
  scriptPath: string;
  /** A `fetch` that goes to the Worker (for SDK clients). */
  fetch: typeof fetch;
  /** Runs SQL on the Worker's D1. */
  sql(query: string, ...params: unknown[]): Promise<void>;
  /** The rows a query on the Worker's D1 returns. */
  rows<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]>;
  /** Stores a tenant (once) and a new API key of it with `scopes`; returns the key's secret. */
  seedApiKey(options?: { tenantId?: string; scopes?: string[] }): Promise<string>;
  dispose(): Promise<void>;
}

/** wrangler.toml's `Text` module rules, for esbuild: Swagger UI's files become strings. */
const textModules: Plugin = {
  name: "text-modules",
  setup(b) {
    b.onLoad(
      { filter: /[\\/]swagger-ui-dist[\\/]swagger-ui(?:-bundle\.js|\.css)$/ },
      async (args) => ({
        contents: await readFile(args.path, "utf8"),
        loader: "text",
      }),
    );
  },
};

/**
 * Bundles the edge as wrangler would (workerd conditions, Workers and Node built-ins external);
 * `entry` (relative to the repository) bundles another Worker the same way.
 */
export async function bundleEdge(outdir: string, entry = "edge/index.ts"): Promise<string> {
  const outfile = join(outdir, "edge.js");
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: "esm",
    // As wrangler bundles: packages' `browser` maps apply (liquidjs swaps its Node build there).
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    plugins: [textModules],
    logLevel: "error",
  });
  return outfile;
}

/** Options of {@link startEdgeWorker}. */
export interface EdgeWorkerOptions {
  /** Disposes itself after this long even if nobody calls `dispose` (default 2 minutes). */
  lifetimeMs?: number;
  /** Binds the response cache's KV namespace (off by default: benches measure the gateway). */
  responseCache?: boolean;
  /** The Worker's main module, relative to the repository (default `edge/index.ts`). */
  entry?: string;
  /** Opens workerd's inspector (Chrome DevTools protocol) on this loopback port. */
  inspectorPort?: number;
  /** Reads workerd's stdout and stderr (default: Miniflare passes them on). */
  handleRuntimeStdio?: (stdout: Readable, stderr: Readable) => void;
  /**
   * Binds the jobs queue as wrangler.toml declares it (producer `JOBS_QUEUE`, this Worker its
   * consumer, a dead-letter queue), Miniflare's local queue delivering the batches; off by default.
   */
  jobsQueue?: { maxBatchSize?: number; maxRetries?: number };
}

/** Starts the bundled edge in Miniflare with `bindings` (vars and secrets). */
export async function startEdgeWorker(
  bindings: Record<string, string>,
  {
    lifetimeMs = 120_000,
    responseCache = false,
    entry,
    inspectorPort,
    handleRuntimeStdio,
    jobsQueue,
  }: EdgeWorkerOptions = {},
): Promise<EdgeWorker> {
  const dir = mkdtempSync(join(tmpdir(), "textnlp-edge-"));
  const scriptPath = await bundleEdge(dir, entry);
  const mf = new Miniflare({
    inspectorPort,
    handleRuntimeStdio,
    modules: true,
    scriptPath,
    // Module names are relative to this root; the bundle lives outside the checkout.
    modulesRoot: dir,
    compatibilityDate: "2026-05-01",
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "textnlp" },
    // As wrangler.toml declares them: the rate limiter and the site hubs, SQLite-backed.
    durableObjects: {
      LIMITER: { className: "RateLimiter", useSQLite: true },
      SITE_HUB: { className: "SiteHub", useSQLite: true },
      JOB_MONITOR: { className: "JobMonitor", useSQLite: true },
      JOB_SLOTS: { className: "JobSlots", useSQLite: true },
    },
    durableObjectsPersist: false,
    kvNamespaces: responseCache ? ["RESPONSE_CACHE"] : [],
    ...(jobsQueue && {
      r2Buckets: ["DATASETS"],
      r2Persist: false,
      queueProducers: { JOBS_QUEUE: { queueName: "textnlp-jobs" } },
      queueConsumers: {
        "textnlp-jobs": {
          maxBatchSize: jobsQueue.maxBatchSize ?? 4,
          maxBatchTimeout: 1,
          maxRetries: jobsQueue.maxRetries ?? 5,
          deadLetterQueue: "textnlp-jobs-dlq",
        },
      },
    }),
    kvPersist: false,
    host: "127.0.0.1",
    port: 0,
    // No request log lines in the test output unless a test asks for them.
    bindings: { ENVIRONMENT: "test", REQUEST_LOG: "off", ...bindings },
    d1Persist: false,
  });
  // Stops by itself, so a run that never disposes it (a crash) leaves no workerd behind.
  const timeout = setTimeout(() => void mf.dispose(), lifetimeMs);
  timeout.unref();
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  const migrations = join(ROOT, "shared/db/migrations");
  for (const file of readdirSync(migrations)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(join(migrations, file), "utf8").split(
      "--> statement-breakpoint",
    )) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
  const sql = async (query: string, ...params: unknown[]) => {
    await db
      .prepare(query)
      .bind(...params)
      .run();
  };
  const rows = async <T>(query: string, ...params: unknown[]) =>
    (
      await db
        .prepare(query)
        .bind(...params)
        .all<T>()
    ).results;
  return {
    mf,
    url,
    scriptPath,
    rows,
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      // Miniflare's fetch types are undici's; at runtime they are the same web types.
      mf.dispatchFetch(input as never, init as never)) as unknown as typeof fetch,
    sql,
    async seedApiKey({ tenantId = "t", scopes = ["*"] } = {}) {
      const secret = generateApiKeySecret();
      await sql(
        "INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (?, ?, 0)",
        tenantId,
        tenantId,
      );
      await sql(
        "INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES (?, ?, 'seeded', ?, ?, ?, 0)",
        randomId("key_"),
        tenantId,
        secret.slice(0, 11),
        await hashApiKey(secret),
        JSON.stringify(scopes),
      );
      return secret;
    },
    async dispose() {
      clearTimeout(timeout);
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
