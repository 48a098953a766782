import type { ApplianceMetrics } from "../metrics/metrics.ts";

/** The dashboard's figures, read from the same registry `/metrics` serves. */
export interface DashboardFigures {
  /** When they were read (ms since epoch): the page turns counters into rates. */
  at: number;
  cpuSecondsTotal: number;
  residentMemoryBytes: number;
  heapUsedBytes: number;
  tokensGeneratedTotal: number;
  /** Mean decoding speed of finished generations, or null before the first. */
  meanTokensPerSecond: number | null;
  /** Mean HTTP latency (seconds) over all requests so far, or null before the first. */
  meanLatencySeconds: number | null;
  /** The latency histogram's sum and count: the page charts latency between two reads. */
  requestSecondsSum: number;
  requestCount: number;
  queueDepth: number;
  activeSequences: number;
  loadedModels: { model: string; sequences: number }[];
  jobs: { job: string; done: number; total: number }[];
  backupAgeSeconds: number | null;
  backupLastSuccess: number | null;
  gpus: { gpu: string; utilization: number | null; memoryUsedBytes: number | null }[];
}

type MetricJson = Awaited<ReturnType<ApplianceMetrics["registry"]["getMetricsAsJSON"]>>[number];
type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

/**
 * Reads every metric once (scrape-time gauges run their `collect`, as for `/metrics`). The last
 * backup comes from `backups`, the gauges' own source: an unlabelled prom-client gauge reads 0
 * after its reset, so `/metrics` cannot tell "no backup yet" from "failed just now".
 */
export async function dashboardFigures(
  metrics: ApplianceMetrics,
  backups: () => { lastOkAt: number | null; lastResult: "ok" | "failed" | null },
): Promise<DashboardFigures> {
  const backup = backups();
  const all = await metrics.registry.getMetricsAsJSON();
  const byName = new Map<string, Sample[]>(
    all.map((m: MetricJson) => [m.name, m.values as Sample[]]),
  );
  const values = (name: string) => byName.get(name) ?? [];
  const sum = (name: string) => values(name).reduce((total, s) => total + s.value, 0);
  /** A histogram's `_sum` or `_count`, across all label sets. */
  const part = (name: string, suffix: "sum" | "count") =>
    values(name)
      .filter((s) => s.metricName === `${name}_${suffix}`)
      .reduce((t, s) => t + s.value, 0);
  const mean = (name: string) => {
    const count = part(name, "count");
    return count > 0 ? part(name, "sum") / count : null;
  };
  const jobs = new Map<string, { job: string; done: number; total: number }>();
  for (const s of values("textnlp_job_samples")) {
    const job = String(s.labels.job);
    const entry = jobs.get(job) ?? { job, done: 0, total: 0 };
    if (s.labels.state === "done") entry.done = s.value;
    else entry.total = s.value;
    jobs.set(job, entry);
  }
  const memoryUsed = new Map(
    values("textnlp_gpu_memory_used_bytes").map((s) => [String(s.labels.gpu), s.value]),
  );
  return {
    at: Date.now(),
    cpuSecondsTotal: sum("process_cpu_seconds_total"),
    residentMemoryBytes: sum("process_resident_memory_bytes"),
    heapUsedBytes: sum("nodejs_heap_size_used_bytes"),
    tokensGeneratedTotal: sum("textnlp_tokens_generated_total"),
    meanTokensPerSecond: mean("textnlp_generation_tokens_per_second"),
    meanLatencySeconds: mean("textnlp_http_request_duration_seconds"),
    requestSecondsSum: part("textnlp_http_request_duration_seconds", "sum"),
    requestCount: part("textnlp_http_request_duration_seconds", "count"),
    queueDepth: sum("textnlp_queue_depth"),
    activeSequences: sum("textnlp_active_sequences"),
    loadedModels: values("textnlp_sequences").map((s) => ({
      model: String(s.labels.model),
      sequences: s.value,
    })),
    jobs: [...jobs.values()],
    backupAgeSeconds: backup.lastOkAt == null ? null : (Date.now() - backup.lastOkAt) / 1000,
    backupLastSuccess: backup.lastResult == null ? null : backup.lastResult === "ok" ? 1 : 0,
    gpus: values("textnlp_gpu_utilization_ratio").map((s) => ({
      gpu: String(s.labels.gpu),
      utilization: s.value,
      memoryUsedBytes: memoryUsed.get(String(s.labels.gpu)) ?? null,
    })),
  };
}
