#!/usr/bin/env node
// `node bin/edge-key.js [--tenant T] [--scopes a,b] [--name N] [--remote]`: bootstraps an edge
// API key straight into D1 (the local database unless --remote) and prints its secret once.
// Later keys are made through the admin API (`POST /v1/admin/keys`) with a key holding admin:keys.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { register } from "tsx/esm/api";

register();
const { displayPrefix, generateApiKeySecret, hashApiKey, randomId } = await import(
  "../shared/auth/api-keys.ts"
);

const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "default" },
    scopes: { type: "string", default: "*" },
    name: { type: "string", default: "bootstrap" },
    remote: { type: "boolean", default: false },
  },
});
const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;
const secret = generateApiKeySecret();
const scopes = JSON.stringify(values.scopes.split(",").map((s) => s.trim()));
const now = Date.now();
const sql = [
  `INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (${quote(values.tenant)}, ${quote(values.tenant)}, ${now});`,
  `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES (${quote(randomId("key_"))}, ${quote(values.tenant)}, ${quote(values.name)}, ${quote(displayPrefix(secret))}, ${quote(await hashApiKey(secret))}, ${quote(scopes)}, ${now});`,
].join(" ");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = spawnSync(
  process.execPath,
  [
    join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
    "d1",
    "execute",
    "textnlp",
    values.remote ? "--remote" : "--local",
    "--command",
    sql,
  ],
  {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      XDG_CONFIG_HOME: join(root, ".xdg"),
      WRANGLER_LOG_PATH: join(root, ".wrangler", "logs"),
    },
  },
);
if (run.status !== 0) process.exit(run.status ?? 1);
console.log(secret);
