#!/usr/bin/env node
// `npm run dev:edge [-- wrangler dev options]`: applies the D1 migrations to the local database,
// then runs the edge with `wrangler dev`, offline and quiet, writing nothing outside the checkout.
// Defaults to 127.0.0.1:8787; `--ip` / `--port` (and any other wrangler dev option) pass through.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  XDG_CONFIG_HOME: join(root, ".xdg"),
  WRANGLER_LOG_PATH: join(root, ".wrangler", "logs"),
  TMPDIR: join(root, ".tmp"),
};
mkdirSync(env.TMPDIR, { recursive: true });

const migrate = spawnSync(
  process.execPath,
  [wrangler, "d1", "migrations", "apply", "textnlp", "--local"],
  // No stdin: wrangler then applies without asking.
  { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const args = process.argv.slice(2);
const has = (flag) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
const defaults = [
  ...(has("--ip") ? [] : ["--ip", "127.0.0.1"]),
  ...(has("--port") ? [] : ["--port", "8787"]),
  ...(has("--show-interactive-dev-session") ? [] : ["--show-interactive-dev-session=false"]),
];
const dev = spawn(process.execPath, [wrangler, "dev", ...defaults, ...args], {
  cwd: root,
  env,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
