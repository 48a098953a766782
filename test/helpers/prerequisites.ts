/**
 * What the test suite needs from the machine besides `npm ci`, in one list. `npm test` checks it
 * first (`test/prerequisites.ts`: installs what is missing when it runs as root with apt-get, else
 * stops naming the one `apt-get install` line); a test file that needs one calls
 * `requirement()` (./requirement.ts), which fails the file with the same advice when it is missing. A skip is
 * never silent: only `TEXTNLP_TEST_SKIP=<name>[,<name>…]` skips, and the skipped suites carry
 * the reason in their titles, which the run's last lines list (`test/reporters/skips.ts`).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * The Python that Debian's `python3-*` packages install into. A `python3` found first on PATH
 * (pyenv, a virtualenv) does not see them, so the tests run this one when it exists.
 */
export const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

const runs = (command: string, args: string[]) => {
  try {
    return spawnSync(command, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
};

/** A prerequisite: how to see it is there, and what provides it. */
export interface Prerequisite {
  /** What the tests use it for. */
  for: string;
  present: () => boolean;
  /** Debian packages that provide it. */
  packages: string[];
  /** Advice when a package alone does not do (privileges). */
  note?: string;
}

export const PREREQUISITES = {
  browser: {
    for: "the admin panel's browser tests (Debian's Chromium through playwright-core)",
    present: () => existsSync("/usr/bin/chromium"),
    packages: ["chromium"],
  },
  systemd: {
    for: "`systemd-analyze verify` of the appliance's unit",
    present: () => runs("systemd-analyze", ["--version"]),
    packages: ["systemd"],
  },
  netns: {
    for: "installing the appliance inside a network namespace with loopback only",
    present: () => runs("unshare", ["-n", "true"]) && runs("ip", ["-V"]),
    packages: ["util-linux", "iproute2"],
    note: "`unshare -n` needs root (or CAP_SYS_ADMIN): run the tests as root",
  },
  pty: {
    for: "the command line's progress bars in a pseudo-terminal (util-linux `script`)",
    present: () => runs("script", ["--version"]),
    packages: ["bsdutils"],
  },
  openssl: {
    for: "self-signed certificates of the TLS tests",
    present: () => runs("openssl", ["version"]),
    packages: ["openssl"],
  },
  promtool: {
    for: "`promtool check rules` and `promtool test rules` of the appliance's Prometheus alerts",
    present: () => runs("promtool", ["--version"]),
    packages: ["prometheus"],
  },
  python: {
    for: "the Python client's tests (clients/python, on Debian's httpx and pytest)",
    present: () => runs(PYTHON, ["-c", "import httpx, pytest"]),
    packages: ["python3-httpx", "python3-pytest"],
  },
  notebook: {
    for: "running the example notebook headless (examples/synthetic-qa.ipynb, nbclient and ipykernel)",
    present: () => runs(PYTHON, ["-c", "import nbclient, nbformat, ipykernel"]),
    packages: ["python3-nbclient", "python3-ipykernel"],
  },
} satisfies Record<string, Prerequisite>;

export type PrerequisiteName = keyof typeof PREREQUISITES;

/**
 * Packages the suite uses when they are there and replaces when not: NLTK is the live peer of
 * the metrics' differential test, which otherwise compares with a committed reference file;
 * pandas lets the Python client's tests build a DataFrame (without it they check the ImportError).
 */
export const OPTIONAL_PACKAGES = ["python3-nltk", "wordnet-base", "python3-pandas"];

/** The names in `TEXTNLP_TEST_SKIP` (comma- or space-separated). */
export function requestedSkips(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set((env.TEXTNLP_TEST_SKIP ?? "").split(/[\s,]+/).filter(Boolean));
}

/** What to tell someone who lacks `names`. */
export function advice(names: PrerequisiteName[]): string {
  const packages = [...new Set(names.flatMap((n) => PREREQUISITES[n].packages))];
  const lines = names.map((n) => `  - ${n}: ${PREREQUISITES[n].for}`);
  const notes = names.flatMap((n) => {
    const note = (PREREQUISITES[n] as Prerequisite).note;
    return note ? [`  (${note})`] : [];
  });
  return [
    "The tests need what this machine lacks:",
    ...lines,
    "Install it with:",
    `  sudo apt-get install -y ${packages.join(" ")}`,
    ...notes,
    `or skip those tests on purpose: TEXTNLP_TEST_SKIP=${names.join(",")} npm test`,
  ].join("\n");
}
