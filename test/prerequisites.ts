/**
 * `npm test` runs this first: it checks the machine for what the suite needs
 * (test/helpers/prerequisites.ts). Missing Debian packages are installed when it runs as root
 * with apt-get (as CI does); otherwise it stops at once with the one `apt-get install` line to
 * run. `TEXTNLP_TEST_SKIP=<name>,…` skips the tests that need those on purpose, and
 * `TEXTNLP_TEST_NO_INSTALL=1` stops instead of installing.
 */
import { spawnSync } from "node:child_process";
import {
  advice,
  OPTIONAL_PACKAGES,
  PREREQUISITES,
  type PrerequisiteName,
  requestedSkips,
} from "./helpers/prerequisites.ts";

const skips = requestedSkips();
const unknown = [...skips].filter((s) => !(s in PREREQUISITES));
if (unknown.length > 0) {
  console.error(
    `TEXTNLP_TEST_SKIP names ${unknown.join(", ")}; known: ${Object.keys(PREREQUISITES).join(", ")}`,
  );
  process.exit(2);
}

const missing = () =>
  (Object.keys(PREREQUISITES) as PrerequisiteName[]).filter(
    (name) => !skips.has(name) && !PREREQUISITES[name].present(),
  );

const installed = (pkg: string) =>
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" }).stdout?.includes(
    "install ok installed",
  ) ?? false;

const canInstall =
  process.getuid?.() === 0 &&
  !process.env.TEXTNLP_TEST_NO_INSTALL &&
  spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;

let lacking = missing();
const optional = OPTIONAL_PACKAGES.filter((p) => !installed(p));
if (canInstall && (lacking.length > 0 || optional.length > 0)) {
  const packages = [
    ...new Set([...lacking.flatMap((n) => PREREQUISITES[n].packages), ...optional]),
  ];
  console.log(`test prerequisites: installing ${packages.join(" ")} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args: string[]) => spawnSync("apt-get", args, { stdio: "inherit", env }).status;
  if (
    run(["update", "-qq"]) !== 0 ||
    run(["install", "-y", "-qq", "--no-install-recommends", ...packages]) !== 0
  )
    console.error("test prerequisites: apt-get failed");
  lacking = missing();
}
if (lacking.length > 0) {
  console.error(advice(lacking));
  process.exit(1);
}
const notes = [
  ...(skips.size > 0 ? [`skipping on request: ${[...skips].join(", ")}`] : []),
  ...(OPTIONAL_PACKAGES.some((p) => !installed(p))
    ? ["python3-nltk absent: the metrics' differential test compares with its reference file"]
    : []),
];
console.log(`test prerequisites: ok${notes.length ? ` (${notes.join("; ")})` : ""}`);
