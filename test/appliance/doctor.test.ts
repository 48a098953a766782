import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDataDir } from "../helpers/appliance.ts";

type Report = {
  problems: number;
  results: { name: string; status: "ok" | "warn" | "fail"; detail: string; fix?: string }[];
};

const doctor = async (dataDir: string, ...args: string[]) => {
  const out = await runCli(["doctor", "--json", "--data-dir", dataDir, ...args]);
  return { code: out.code, report: JSON.parse(out.stdout) as Report, stderr: out.stderr };
};
const byName = (report: Report, name: string) => report.results.filter((r) => r.name === name);

describe("textnlp-appliance doctor", () => {
  it("passes a healthy installation (no GPU is a warning, not a problem)", async () => {
    const dataDir = tempDataDir();
    try {
      expect((await runCli(["backup", "now", "--data-dir", dataDir])).code).toBe(0);
      const { code, report, stderr } = await doctor(dataDir, "--port", "0");
      expect(code, stderr).toBe(0);
      expect(report.problems).toBe(0);
      expect(report.results.map((r) => r.name)).toEqual([
        "llama.cpp",
        "gpu",
        "disk",
        "database",
        "backups",
        "lifecycle",
        "clock",
        "port",
      ]);
      expect(byName(report, "llama.cpp")[0]?.detail).toMatch(
        /the (cpu|cuda|vulkan|metal) backend loads/,
      );
      expect(byName(report, "database")[0]?.status).toBe("ok");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("names each problem with its fix and exits 1", async () => {
    const dataDir = tempDataDir();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      // A database but never a backup, and the port taken by another program.
      expect((await runCli(["keys", "list", "--data-dir", dataDir])).code).toBe(0);
      let { code, report } = await doctor(dataDir, "--port", String(port));
      expect(code).toBe(1);
      expect(report.problems).toBe(2);
      expect(byName(report, "backups")[0]).toMatchObject({
        status: "fail",
        detail: "no backup was ever taken",
        fix: expect.stringMatching(/textnlp-appliance backup now/),
      });
      expect(byName(report, "port")[0]).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/EADDRINUSE/),
        fix: expect.stringMatching(/--port/),
      });

      // A restore whose erasure replay was interrupted.
      writeFileSync(join(dataDir, "erasures.pending"), "");
      ({ code, report } = await doctor(dataDir, "--port", "0"));
      expect(byName(report, "lifecycle")[0]).toMatchObject({
        status: "fail",
        fix: expect.stringMatching(/replays the erasure log/),
      });
      rmSync(join(dataDir, "erasures.pending"));

      // A damaged database.
      const file = join(dataDir, "textnlp.sqlite");
      const data = readFileSync(file);
      randomBytes(data.length - 8192).copy(data, 8192);
      writeFileSync(file, data);
      ({ code, report } = await doctor(dataDir, "--port", "0"));
      expect(code).toBe(1);
      expect(byName(report, "database")[0]).toMatchObject({
        status: "fail",
        fix: expect.stringMatching(/restore/),
      });
    } finally {
      busy.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
