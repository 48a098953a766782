/**
 * The ceiling rows: a hello-world Hono Worker and a pass-through proxy Worker (`bench/workers/`),
 * bundled the way the edge is and run in one Miniflare with the edge's compatibility settings,
 * each on its own loopback socket.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { bundleEdge } from "../../test/helpers/edge.ts";
import { quietBrokenPipes } from "../lib.ts";

/** The two ceiling Workers' addresses. */
export interface Ceilings {
  hello: string;
  passThrough: string;
  dispose(): Promise<void>;
}

/** Starts both ceiling Workers; the proxy forwards to `upstream`. */
export async function startCeilings(upstream: string, lifetimeMs: number): Promise<Ceilings> {
  const dir = mkdtempSync(join(tmpdir(), "textnlp-ceilings-"));
  const worker = async (name: string, entry: string) => {
    const outdir = join(dir, name);
    mkdirSync(outdir);
    return {
      name,
      modules: true,
      scriptPath: await bundleEdge(outdir, entry),
      modulesRoot: outdir,
      compatibilityDate: "2026-05-01",
      compatibilityFlags: ["nodejs_compat"],
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    };
  };
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    handleRuntimeStdio: quietBrokenPipes,
    workers: [
      await worker("hello", "bench/workers/hello.ts"),
      {
        ...(await worker("pass-through", "bench/workers/pass-through.ts")),
        bindings: { UPSTREAM: upstream },
      },
    ],
  });
  const timeout = setTimeout(() => void mf.dispose(), lifetimeMs);
  timeout.unref();
  await mf.ready;
  const address = async (name: string) =>
    (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, "");
  return {
    hello: await address("hello"),
    passThrough: await address("pass-through"),
    async dispose() {
      clearTimeout(timeout);
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
