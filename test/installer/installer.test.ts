/**
 * The installer for real, in a throwaway root prefix: the offline bundle is built once
 * (make-bundle.sh, CPU backend), then installed, upgraded, upgraded to a release that fails its
 * health check (rolled back, code and database), and uninstalled. PID 1 here is not systemd:
 * the scripts start the service binary directly (TEXTNLP_SERVICE_MANAGER=direct).
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/appliance.ts";
import { requirement } from "../helpers/requirement.ts";

const work = mkdtempSync(join(tmpdir(), "textnlp-installer-"));
const prefix = join(work, "root");
const opt = join(prefix, "opt/textnlp");
const data = join(prefix, "var/lib/textnlp");
let port = 0;
let v1 = "";
const bundles = { v1: "", v2: "", broken: "" };

function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      ...process.env,
      TEXTNLP_ROOT: prefix,
      TEXTNLP_SERVICE_MANAGER: "direct",
      TEXTNLP_HEALTH_TIMEOUT: "240",
      ...env,
    },
    timeout: 600_000,
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}
const script = (name: string, ...args: string[]) => sh(join(ROOT, "installer", name), args);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A release derived from v1: another version, an extra migration, maybe a broken start. */
function derive(from: string, version: string, migration: string, broken: boolean): string {
  const dir = join(work, `src-${version}`);
  rmSync(dir, { recursive: true, force: true });
  sh("mkdir", ["-p", dir]);
  sh("tar", ["-xf", from, "-C", dir]);
  const release = join(dir, `textnlp-${version}`);
  cpSync(join(dir, `textnlp-${v1}`), release, { recursive: true });
  rmSync(join(dir, `textnlp-${v1}`), { recursive: true });
  writeFileSync(join(release, "VERSION"), `${version}\n`);
  const pkg = JSON.parse(readFileSync(join(release, "app/package.json"), "utf8"));
  writeFileSync(join(release, "app/package.json"), JSON.stringify({ ...pkg, version }));
  // A real schema migration, applied by the daemon at start like any release's.
  const migrations = join(release, "shared/db/migrations");
  const journal = JSON.parse(readFileSync(join(migrations, "meta/_journal.json"), "utf8"));
  const last = journal.entries.at(-1);
  const tag = `${String(last.idx + 1).padStart(4, "0")}_${migration}`;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag });
  writeFileSync(join(migrations, "meta/_journal.json"), JSON.stringify(journal, null, 2));
  writeFileSync(join(migrations, `${tag}.sql`), `CREATE TABLE \`${migration}\` (id integer);\n`);
  if (broken) {
    // Migrates the database, then fails to start: its model file does not exist.
    const launcher = join(release, "bin/textnlp-appliance");
    const text = readFileSync(launcher, "utf8").replace(
      "exec ",
      "TEXTNLP_MODEL=/nonexistent/broken-release.gguf exec ",
    );
    writeFileSync(launcher, text);
  }
  const sums = sh("sh", [
    "-c",
    `cd '${release}' && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS`,
  ]);
  expect(sums.code, sums.out).toBe(0);
  const tarball = join(work, `textnlp-appliance-${version}.tar`);
  expect(sh("tar", ["-C", dir, "-cf", tarball, `textnlp-${version}`]).code).toBe(0);
  rmSync(dir, { recursive: true, force: true });
  return tarball;
}

async function health(): Promise<{ status: string; version: string } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(5000),
    });
    return (await res.json()) as { status: string; version: string };
  } catch {
    return null;
  }
}

function tables(): string[] {
  const db = new Database(join(data, "textnlp.sqlite"), { readonly: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

const installed = (...args: string[]) =>
  sh(join(opt, "current/bin/textnlp-appliance"), [...args, "--data-dir", data]);

beforeAll(async () => {
  port = await freePort();
  const built = sh(join(ROOT, "installer/make-bundle.sh"), [
    "--out",
    join(work, "dist"),
    "--backends",
    "cpu",
    "--fast",
  ]);
  expect(built.code, built.out).toBe(0);
  bundles.v1 = built.out.trim().split("\n").at(-1) as string;
  v1 = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  bundles.v2 = derive(bundles.v1, `${v1}-next`, "upgrade_probe", false);
  bundles.broken = derive(bundles.v1, `${v1}-broken`, "broken_probe", true);
}, 600_000);

afterAll(() => {
  // Only when a test failed half way: the daemon this file started is still running.
  const pidFile = join(opt, "service.pid");
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
  if (pid > 0) spawnSync("kill", ["-TERM", String(pid)]);
  rmSync(work, { recursive: true, force: true });
});

describe("installer (throwaway root, service started directly)", () => {
  it("installs from the offline bundle, healthy, with a first admin user; again changes nothing", async () => {
    const first = sh(
      join(ROOT, "installer/install.sh"),
      ["--bundle", bundles.v1, "--port", String(port)],
      {
        TEXTNLP_ADMIN_PASSWORD: "correct-horse-battery",
      },
    );
    expect(first.code, first.out).toBe(0);
    expect(readlinkSync(join(opt, "current"))).toBe(`releases/${v1}`);
    expect(await health()).toMatchObject({ status: "ok", version: v1 });
    expect(readFileSync(join(prefix, "etc/textnlp/textnlp.env"), "utf8")).toContain(
      `TEXTNLP_PORT=${port}`,
    );
    // The unit as installed (paths moved under the prefix, ExecStart the real launcher).
    const unit = join(prefix, "etc/systemd/system/textnlp-appliance.service");
    expect(readFileSync(unit, "utf8")).toContain(
      `ExecStart=${opt}/current/bin/textnlp-appliance serve`,
    );
    if (spawnSync("systemd-analyze", ["--version"]).status === 0)
      expect(sh("systemd-analyze", ["verify", "--man=no", unit])).toEqual({ code: 0, out: "" });
    const users = JSON.parse(installed("users", "list", "--json").out);
    expect(users.map((u: { username: string }) => u.username)).toEqual(["admin"]);

    appendFileSync(join(prefix, "etc/textnlp/textnlp.env"), "# kept by a second install\n");
    const pid = readFileSync(join(opt, "service.pid"), "utf8");
    const again = script("install.sh", "--bundle", bundles.v1, "--port", "1");
    expect(again.code, again.out).toBe(0);
    expect(readFileSync(join(prefix, "etc/textnlp/textnlp.env"), "utf8")).toContain(
      "kept by a second install",
    );
    expect(readFileSync(join(opt, "service.pid"), "utf8")).toBe(pid);
    expect(JSON.parse(installed("users", "list", "--json").out)).toHaveLength(1);
  }, 600_000);

  it("upgrades: backs the database up, migrates, keeps the previous release", async () => {
    const key = installed("keys", "create", "--name", "before-upgrade");
    expect(key.code, key.out).toBe(0);
    const up = script("upgrade.sh", "--bundle", bundles.v2);
    expect(up.code, up.out).toBe(0);
    expect(readlinkSync(join(opt, "current"))).toBe(`releases/${v1}-next`);
    expect(readlinkSync(join(opt, "previous"))).toBe(`releases/${v1}`);
    expect(await health()).toMatchObject({ status: "ok", version: `${v1}-next` });
    expect(tables()).toContain("upgrade_probe");
    expect(installed("keys", "list").out).toContain("before-upgrade");
    // The upgrade's own backup, the one manual one (the service's schedule, every 30 minutes,
    // may have added one if the run crossed a half hour).
    const backups = JSON.parse(installed("backup", "list", "--json").out) as { kind: string }[];
    expect(backups.filter((b) => b.kind === "manual")).toHaveLength(1);
  }, 600_000);

  it("rolls code and database back when the new release fails its health check", async () => {
    const up = script("upgrade.sh", "--bundle", bundles.broken);
    expect(up.code, up.out).toBe(1);
    expect(up.out).toMatch(/rolled back to .*-next \(code and database\)/);
    expect(up.out).toContain("the appliance exited");
    expect(up.out).toContain("broken-release.gguf");
    expect(readlinkSync(join(opt, "current"))).toBe(`releases/${v1}-next`);
    expect(await health()).toMatchObject({ status: "ok", version: `${v1}-next` });
    // The broken release's migration ran, and the restore took it back out.
    expect(tables()).not.toContain("broken_probe");
    expect(tables()).toContain("upgrade_probe");
    expect(installed("keys", "list").out).toContain("before-upgrade");
  }, 600_000);

  it("uninstalls, keeping settings and data unless purged", async () => {
    const gone = script("uninstall.sh");
    expect(gone.code, gone.out).toBe(0);
    expect(await health()).toBeNull();
    expect(existsSync(opt)).toBe(false);
    expect(existsSync(join(data, "textnlp.sqlite"))).toBe(true);
    expect(existsSync(join(prefix, "etc/textnlp/textnlp.env"))).toBe(true);
    expect(script("uninstall.sh", "--purge").code).toBe(0);
    expect(existsSync(data)).toBe(false);
  }, 120_000);

  // Air-gapped for real: a network namespace with loopback only (no route, no DNS). The
  // script's own health check runs inside it; the daemon it starts stays in it.
  requirement("netns").it(
    "installs and starts from the bundle with networking off",
    async () => {
      const offline = sh("unshare", [
        "-n",
        "bash",
        "-c",
        'ip link set lo up && ! timeout 3 bash -c "</dev/tcp/1.1.1.1/443" 2>/dev/null && exec "$0" "$@"',
        join(ROOT, "installer/install.sh"),
        "--bundle",
        bundles.v1,
        "--port",
        String(port),
      ]);
      expect(offline.code, offline.out).toBe(0);
      expect(readlinkSync(join(opt, "current"))).toBe(`releases/${v1}`);
      const pid = readFileSync(join(opt, "service.pid"), "utf8").trim();
      // The daemon that passed the health check lives in another network namespace than ours.
      expect(readlinkSync(`/proc/${pid}/ns/net`)).not.toBe(readlinkSync("/proc/self/ns/net"));
      expect(await health()).toBeNull();
      expect(script("uninstall.sh", "--purge").code).toBe(0);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
    },
    600_000,
  );
});
