import { mkdtempSync, rmSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ApplianceMetrics } from "./metrics.ts";

describe("ApplianceMetrics", () => {
  it("reads pools, jobs and backups at scrape time", async () => {
    let active = 1;
    const metrics = new ApplianceMetrics({
      pools: () => [{ model: "m", version: "1", active, queued: 2, size: 4 }],
      jobs: () => [{ job: "job_1", done: 3, total: 10 }],
      backups: () => ({ lastOkAt: 1_000_000, lastResult: "failed" }),
      now: () => 1_090_000,
    });
    let text = (await metrics.scrape()).body;
    expect(text).toContain('textnlp_active_sequences{model="m",version="1"} 1');
    expect(text).toContain('textnlp_queue_depth{model="m",version="1"} 2');
    expect(text).toContain('textnlp_sequences{model="m",version="1"} 4');
    expect(text).toContain('textnlp_job_samples{job="job_1",state="done"} 3');
    expect(text).toContain("textnlp_backup_age_seconds 90");
    expect(text).toContain("textnlp_backup_last_success 0");
    active = 0;
    text = (await metrics.scrape()).body;
    expect(text).toContain('textnlp_active_sequences{model="m",version="1"} 0');
  });

  it("leaves the backup gauges out until there is a backup, so no alert reads 0 as a failure", async () => {
    const text = (
      await new ApplianceMetrics({
        backups: () => ({ lastOkAt: null, lastResult: null }),
      }).scrape()
    ).body;
    expect(text).not.toMatch(/^textnlp_backup_\w+ /m);
    expect(text).toContain("# TYPE textnlp_backup_age_seconds gauge");
  });

  it("shows the free space and size of each directory's filesystem as statfs reports them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "textnlp-metrics-"));
    const before = await statfs(dir);
    const metrics = new ApplianceMetrics({
      directories: { data: dir, backups: join(dir, "not-yet") },
    });
    const text = (await metrics.scrape()).body;
    const value = (name: string) =>
      Number(text.match(new RegExp(`^${name}\\{dir="data"\\} (\\S+)$`, "m"))?.[1]);
    expect(value("textnlp_filesystem_size_bytes")).toBe(before.blocks * before.bsize);
    // Other processes write meanwhile: close to statfs's own figure rather than equal to it.
    const avail = value("textnlp_filesystem_avail_bytes");
    expect(Math.abs(avail - before.bavail * before.bsize)).toBeLessThan(64 * 2 ** 20);
    expect(avail).toBeGreaterThan(0);
    expect(text).not.toContain('dir="backups"');
    rmSync(dir, { recursive: true });
  });

  it("shows GPU load where the driver reports it, and nothing without a GPU", async () => {
    const withGpu = new ApplianceMetrics({
      gpus: () => [
        { gpu: "0", model: "H100", utilization: 0.5, memoryUsedBytes: 10, memoryTotalBytes: 80 },
        { gpu: "1", model: "iGPU", memoryTotalBytes: 5 },
      ],
    });
    const text = (await withGpu.scrape()).body;
    expect(text).toContain('textnlp_gpu_utilization_ratio{gpu="0",model="H100"} 0.5');
    expect(text).toContain('textnlp_gpu_memory_used_bytes{gpu="0",model="H100"} 10');
    expect(text).toContain('textnlp_gpu_memory_total_bytes{gpu="1",model="iGPU"} 5');
    expect(text).not.toContain('textnlp_gpu_utilization_ratio{gpu="1"');
    const none = (await new ApplianceMetrics({ gpus: () => [] }).scrape()).body;
    expect(none).not.toMatch(/^textnlp_gpu_\w+\{/m);
  });
});
