/** One GPU's load, as the metrics show it. */
export interface GpuSample {
  gpu: string;
  model: string;
  /** 0..1, when the driver reports it (NVIDIA through nvidia-smi). */
  utilization?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
}

/**
 * A reader of GPU utilisation and memory (systeminformation), refreshed in the background at
 * most every `maxAgeMs`: a scrape never waits for nvidia-smi. Empty without a GPU.
 */
export function createGpuReader(maxAgeMs = 15_000): () => GpuSample[] {
  let samples: GpuSample[] = [];
  let readAt = Number.NEGATIVE_INFINITY;
  let reading = false;
  const refresh = async () => {
    reading = true;
    try {
      const si = await import("systeminformation");
      const { controllers } = await si.graphics();
      const mib = (v: number | undefined) => (v == null ? undefined : v * 1024 * 1024);
      samples = controllers.map((c, i) => ({
        gpu: String(i),
        model: c.model || c.name || "unknown",
        utilization: c.utilizationGpu == null ? undefined : c.utilizationGpu / 100,
        memoryUsedBytes: mib(c.memoryUsed),
        memoryTotalBytes: mib(c.memoryTotal ?? c.vram ?? undefined),
      }));
    } catch {
      // No GPU tooling on this host: the GPU gauges stay empty.
      samples = [];
    } finally {
      readAt = Date.now();
      reading = false;
    }
  };
  return () => {
    if (!reading && Date.now() - readAt > maxAgeMs) void refresh();
    return samples;
  };
}
