/**
 * The edge as it deploys: an esbuild bundle of `edge/index.ts` run in Miniflare (workerd) with
 * a local D1 that has the shared migrations applied. For end-to-end tests and benches from Node.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { ROOT } from "./appliance.ts";

/** A running edge. */
export interface EdgeWorker {
  mf: Miniflare;
  /** Where it listens on loopback (appliances dial their link here). */
  url: string;
  /** A `fetch` that goes to the Worker (for SDK clients). */
  fetch: typeof fetch;
  /** Runs SQL on the Worker's D1. */
  sql(query: string, ...params: unknown[]): Promise<void>;
  dispose(): Promise<void>;
}

/** Bundles the edge as wrangler would (workerd conditions, Workers and Node built-ins external). */
export async function bundleEdge(outdir: string): Promise<string> {
  const outfile = join(outdir, "edge.js");
  await build({
    entryPoints: [join(ROOT, "edge/index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    logLevel: "error",
  });
  return outfile;
}

/** Starts the bundled edge in Miniflare with `bindings` (vars and secrets). */
export async function startEdgeWorker(bindings: Record<string, string>): Promise<EdgeWorker> {
  const dir = mkdtempSync(join(tmpdir(), "textnlp-edge-"));
  const scriptPath = await bundleEdge(dir);
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    // Module names are relative to this root; the bundle lives outside the checkout.
    modulesRoot: dir,
    compatibilityDate: "2026-05-01",
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "textnlp" },
    durableObjects: { SITE_HUB: "SiteHub" },
    host: "127.0.0.1",
    port: 0,
    bindings: { ENVIRONMENT: "test", ...bindings },
    d1Persist: false,
  });
  const timeout = setTimeout(() => void mf.dispose(), 120_000);
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
  return {
    mf,
    url,
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      // Miniflare's fetch types are undici's; at runtime they are the same web types.
      mf.dispatchFetch(input as never, init as never)) as unknown as typeof fetch,
    async sql(query, ...params) {
      await db
        .prepare(query)
        .bind(...params)
        .run();
    },
    async dispose() {
      clearTimeout(timeout);
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
