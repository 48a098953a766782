import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/models.ts";

// A PATH holding every command the check probes except systemd-analyze: the machine as a user
// without systemd would have it.
const bin = mkdtempSync(join(tmpdir(), "textnlp-path-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
for (const command of [
  "node",
  "unshare",
  "true",
  "ip",
  "script",
  "openssl",
  "promtool",
  "dpkg-query",
]) {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin"];
  const found = dirs.map((d) => join(d, command)).find((f) => existsSync(f));
  if (found) symlinkSync(found, join(bin, command));
}

function check(env: Record<string, string>) {
  const run = spawnSync(
    join(bin, "node"),
    [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "test/prerequisites.ts")],
    { cwd: ROOT, encoding: "utf8", env: { PATH: bin, TEXTNLP_TEST_NO_INSTALL: "1", ...env } },
  );
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe("npm test's prerequisite check", () => {
  it("stops at once naming the apt-get line and the skip that would do without it", () => {
    const { code, out } = check({});
    expect(code).toBe(1);
    expect(out).toContain("systemd: `systemd-analyze verify` of the appliance's unit");
    expect(out).toContain("sudo apt-get install -y systemd");
    expect(out).toContain("TEXTNLP_TEST_SKIP=systemd npm test");
  });

  it("passes when the skip is asked for, and says so", () => {
    // Skips the run was asked for (netns where not root) hold here too.
    const { code, out } = check({
      TEXTNLP_TEST_SKIP: ["systemd", process.env.TEXTNLP_TEST_SKIP].filter(Boolean).join(","),
    });
    expect(code, out).toBe(0);
    expect(out).toContain("skipping on request: systemd");
  });

  it("refuses a skip name it does not know", () => {
    const { code, out } = check({ TEXTNLP_TEST_SKIP: "browsers" });
    expect(code).toBe(2);
    expect(out).toContain("known: browser, systemd, netns, pty, openssl");
  });
});
