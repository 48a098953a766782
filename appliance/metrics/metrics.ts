/**
 * The appliance's Prometheus metrics, on a registry of its own (not prom-client's global one),
 * so several appliances in one process, as in tests, never share counters. Gauges that mirror
 * live state (sequence pools, jobs, backups) are read at scrape time instead of being kept in
 * step with every change.
 */
import type { StatsFs } from "node:fs";
import { statfs } from "node:fs/promises";
import client from "prom-client";
import type { GpuSample } from "./gpu.ts";

/** Jobs queued or running, with samples done and total. */
type Jobs = { job: string; done: number; total: number }[];

/** Where the scrape-time gauges read from; each source is optional so parts can be absent. */
export interface MetricSources {
  /** Loaded models and their sequence pools. */
  pools?: () => { model: string; version: string; active: number; queued: number; size: number }[];
  /** Jobs queued or running, with samples done and total. */
  jobs?: () => Jobs | Promise<Jobs>;
  /** The newest backup of each outcome (ms since epoch), or null when none was taken. */
  backups?: () => {
    lastOkAt: number | null;
    lastResult: "ok" | "failed" | null;
    /** Offsite copies (backup.remote): the newest verified upload's time, the newest outcome. */
    remoteLastOkAt?: number | null;
    remoteLastResult?: "uploaded" | "failed" | null;
  };
  /** GPU load, already cached (a scrape must not wait for the driver's tools). */
  gpus?: () => GpuSample[];
  /**
   * Directories whose filesystem's free space and size are exported, by a short name
   * (`{ data: dataDir, backups: backupDir }`); one not there (yet) is left out.
   */
  directories?: Readonly<Record<string, string>>;
  now?: () => number;
}

/**
 * Empties an unlabelled gauge: prom-client's `reset()` puts its 0 back, which would read as a
 * failed backup, or one just taken, on an appliance that has none.
 */
function absent(gauge: client.Gauge): void {
  gauge.reset();
  gauge.remove();
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const RATE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** The metrics of one appliance. */
export class ApplianceMetrics {
  readonly registry = new client.Registry();
  readonly requestDuration: client.Histogram<"method" | "route" | "model" | "version" | "status">;
  readonly timeToFirstToken: client.Histogram<"model" | "version">;
  readonly tokensGenerated: client.Counter<"model" | "version" | "priority">;
  readonly promptTokensEvaluated: client.Counter<"model" | "version" | "priority">;
  readonly promptTokensReused: client.Counter<"model" | "version" | "priority">;
  readonly tokensPerSecond: client.Histogram<"model" | "version">;
  readonly rejected: client.Counter<"route" | "status">;
  /** 1 while this appliance dials the edge (enrolled, `link.enabled`): the link alerts need it. */
  readonly linkEnabled: client.Gauge;
  /** The hybrid link: 1 while connected to the edge. */
  readonly linkConnected: client.Gauge;
  readonly linkReconnects: client.Counter;
  /** Round-trip time of the last heartbeat to the edge and back. */
  readonly linkRtt: client.Gauge;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    // Unprefixed, so the usual process dashboards and alerts work as they are.
    client.collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new client.Histogram({
      name: "textnlp_http_request_duration_seconds",
      help: "HTTP request latency, to the end of the response (streams included), by route, model and version (errors by status)",
      labelNames: ["method", "route", "model", "version", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.timeToFirstToken = new client.Histogram({
      name: "textnlp_time_to_first_token_seconds",
      help: "From the start of a generation (queue wait included) to its first token",
      labelNames: ["model", "version"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    // Tokens by model version and by interactive requests / job work.
    const tokenCounter = (name: string, help: string) =>
      new client.Counter<"model" | "version" | "priority">({
        name,
        help,
        labelNames: ["model", "version", "priority"],
        registers,
      });
    this.tokensGenerated = tokenCounter(
      "textnlp_tokens_generated_total",
      "Completion tokens generated (interactive requests and job work)",
    );
    this.promptTokensEvaluated = tokenCounter(
      "textnlp_prompt_tokens_evaluated_total",
      "Prompt tokens evaluated by each sampling pass (those not already in its sequence's KV cache)",
    );
    this.promptTokensReused = tokenCounter(
      "textnlp_prompt_tokens_reused_total",
      "Prompt tokens a sampling pass found in its sequence's KV cache from an earlier request (a shared prefix of a request without a seed), so not evaluated again",
    );
    this.tokensPerSecond = new client.Histogram({
      name: "textnlp_generation_tokens_per_second",
      help: "Decoding speed of each finished generation (first token to last)",
      labelNames: ["model", "version"],
      buckets: RATE_BUCKETS,
      registers,
    });
    this.rejected = new client.Counter({
      name: "textnlp_requests_rejected_total",
      help: "Requests refused for capacity (429) or shutdown (503)",
      labelNames: ["route", "status"],
      registers,
    });
    this.linkEnabled = new client.Gauge({
      name: "textnlp_link_enabled",
      help: "1 while the appliance is enrolled and dials the edge (link.enabled), else 0",
      registers,
    });
    this.linkConnected = new client.Gauge({
      name: "textnlp_link_connected",
      help: "1 while the link to the edge is up (hello accepted), else 0",
      registers,
    });
    this.linkReconnects = new client.Counter({
      name: "textnlp_link_reconnects_total",
      help: "Times the link to the edge was re-dialled after a drop or a failed attempt",
      registers,
    });
    this.linkRtt = new client.Gauge({
      name: "textnlp_link_rtt_seconds",
      help: "Round-trip time of the last heartbeat over the link to the edge",
      registers,
    });
    const { pools, jobs, backups, gpus } = sources;
    const now = sources.now ?? Date.now;
    const poolGauge = (name: string, help: string, pick: "active" | "queued" | "size") =>
      new client.Gauge({
        name,
        help,
        labelNames: ["model", "version"],
        registers,
        collect() {
          this.reset();
          for (const p of pools?.() ?? [])
            this.set({ model: p.model, version: p.version }, p[pick]);
        },
      });
    poolGauge("textnlp_queue_depth", "Requests waiting for a sequence, per loaded model", "queued");
    poolGauge("textnlp_active_sequences", "Sequences generating, per loaded model", "active");
    poolGauge("textnlp_sequences", "Sequences of each loaded model's pool", "size");
    new client.Gauge({
      name: "textnlp_job_samples",
      help: "Samples of each queued or running job, done and total",
      labelNames: ["job", "state"],
      registers,
      async collect() {
        this.reset();
        for (const j of (await jobs?.()) ?? []) {
          this.set({ job: j.job, state: "done" }, j.done);
          this.set({ job: j.job, state: "total" }, j.total);
        }
      },
    });
    new client.Gauge({
      name: "textnlp_backup_age_seconds",
      help: "Seconds since the newest good backup (absent when there is none)",
      registers,
      collect() {
        absent(this);
        const last = backups?.().lastOkAt;
        if (last != null) this.set(Math.max(0, (now() - last) / 1000));
      },
    });
    new client.Gauge({
      name: "textnlp_backup_last_success",
      help: "1 when the latest backup succeeded, 0 when it failed (absent before the first)",
      registers,
      collect() {
        absent(this);
        const result = backups?.().lastResult;
        if (result) this.set(result === "ok" ? 1 : 0);
      },
    });
    new client.Gauge({
      name: "textnlp_backup_offsite_age_seconds",
      help: "Seconds since the newest verified offsite copy went up (absent without one)",
      registers,
      collect() {
        absent(this);
        const last = backups?.().remoteLastOkAt;
        if (last != null) this.set(Math.max(0, (now() - last) / 1000));
      },
    });
    new client.Gauge({
      name: "textnlp_backup_offsite_last_success",
      help: "1 when the latest offsite upload was verified, 0 when it failed (absent before one)",
      registers,
      collect() {
        absent(this);
        const result = backups?.().remoteLastResult;
        if (result) this.set(result === "uploaded" ? 1 : 0);
      },
    });
    this.#gpuGauges(gpus);
    this.#filesystemGauges(sources.directories ?? {});
  }

  #filesystemGauges(directories: Readonly<Record<string, string>>): void {
    const gauge = (name: string, help: string, pick: (s: StatsFs) => number) =>
      new client.Gauge({
        name,
        help,
        labelNames: ["dir"],
        registers: [this.registry],
        async collect() {
          const found = await Promise.all(
            Object.entries(directories).map(async ([dir, path]) => ({
              dir,
              stats: await statfs(path).catch(() => null),
            })),
          );
          this.reset();
          for (const { dir, stats } of found) if (stats) this.set({ dir }, pick(stats));
        },
      });
    gauge(
      "textnlp_filesystem_avail_bytes",
      "Bytes the appliance may still write on the filesystem of each of its directories (root's reserve excluded)",
      (s) => s.bavail * s.bsize,
    );
    gauge(
      "textnlp_filesystem_size_bytes",
      "Size of the filesystem of each of the appliance's directories",
      (s) => s.blocks * s.bsize,
    );
  }

  #gpuGauges(gpus: MetricSources["gpus"]): void {
    const gauge = (name: string, help: string, pick: (g: GpuSample) => number | undefined) =>
      new client.Gauge({
        name,
        help,
        labelNames: ["gpu", "model"],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const g of gpus?.() ?? []) {
            const value = pick(g);
            if (value !== undefined) this.set({ gpu: g.gpu, model: g.model }, value);
          }
        },
      });
    gauge(
      "textnlp_gpu_utilization_ratio",
      "GPU utilisation, 0 to 1, where the driver reports it",
      (g) => g.utilization,
    );
    gauge(
      "textnlp_gpu_memory_used_bytes",
      "GPU memory in use, where the driver reports it",
      (g) => g.memoryUsedBytes,
    );
    gauge("textnlp_gpu_memory_total_bytes", "GPU memory", (g) => g.memoryTotalBytes);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
