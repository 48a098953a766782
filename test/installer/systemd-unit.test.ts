import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../helpers/appliance.ts";
import { requirement } from "../helpers/requirement.ts";

const UNIT = readFileSync(join(ROOT, "systemd/textnlp-appliance.service"), "utf8");

/** The unit as install.sh writes it under a root prefix (where its ExecStart exists). */
function renderUnder(root: string, unit = UNIT): string {
  const bin = join(root, "opt/textnlp/current/bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "textnlp-appliance"), "#!/bin/sh\n");
  chmodSync(join(bin, "textnlp-appliance"), 0o755);
  const file = join(root, "textnlp-appliance.service");
  writeFileSync(
    file,
    unit
      .replaceAll("/opt/textnlp", join(root, "opt/textnlp"))
      .replaceAll("/etc/textnlp", join(root, "etc/textnlp"))
      .replaceAll("/var/lib/textnlp", join(root, "var/lib/textnlp")),
  );
  return file;
}

function verify(file: string) {
  const run = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

const root = mkdtempSync(join(tmpdir(), "textnlp-unit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

requirement("systemd").describe("systemd unit", () => {
  it("passes systemd-analyze verify without a single warning", () => {
    expect(verify(renderUnder(root))).toEqual({ code: 0, output: "" });
  });

  it("is hardened: dedicated user, read-only system, only the data writable, GPU devices only", () => {
    for (const line of [
      "User=textnlp",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/textnlp",
      "PrivateTmp=yes",
      "DevicePolicy=closed",
      "DeviceAllow=char-nvidia-frontend rw",
      "DeviceAllow=/dev/kfd rw",
      "DeviceAllow=char-drm rw",
      "Restart=on-failure",
    ])
      expect(UNIT.split("\n")).toContain(line);
  });

  it("would report a broken unit (the check can fail)", () => {
    const broken = renderUnder(root, UNIT.replace("NoNewPrivileges=yes", "NoNewPrivileges=maybe"));
    expect(verify(broken).output).toMatch(/Failed to parse boolean value/);
  });
});
