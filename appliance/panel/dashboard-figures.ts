import { listApiKeys } from "../../shared/identity/api-keys.ts";
import { USAGE_WINDOW_MS } from "../../shared/usage/routes.ts";
import { summarizeUsage, totalUsageBy, type UsageTotal } from "../../shared/usage/summary.ts";
import type { ApplianceServices } from "../api/types.ts";
import type { ApplianceMetrics } from "../metrics/metrics.ts";
import { latestBackupState } from "../store/queries/backups.ts";
import { readLinkCredential } from "../store/queries/link-credentials.ts";

/**
 * The link to the edge as an operator reads it: not enrolled, enrolled but switched off
 * (`link.enabled` false), enrolled since this daemon started (the link opens at the next start),
 * connecting (first dial), connected, disconnected (waiting to redial), refused (for good:
 * revoked, or protocol too old) or stopped (shutting down).
 */
export interface LinkFigure {
  state:
    | "not_enrolled"
    | "disabled"
    | "not_started"
    | "connecting"
    | "connected"
    | "disconnected"
    | "refused"
    | "stopped";
  edgeUrl: string | null;
  site: string | null;
  applianceId: string | null;
  /** Connected since (ms since epoch). */
  since: number | null;
  lastHeartbeatAt: number | null;
  rttMs: number | null;
  lastError: string | null;
  /** When the next dial is due, while disconnected. */
  retryAt: number | null;
  reconnects: number;
}

/** The link's figure from the enrollment and the running client's own state. */
export function linkFigure(
  services: Pick<ApplianceServices, "db" | "config" | "link">,
): LinkFigure {
  const enrolled = readLinkCredential(services.db);
  const base = {
    ...NO_LINK,
    edgeUrl: enrolled?.edgeUrl ?? null,
    site: enrolled?.siteId ?? null,
    applianceId: enrolled?.applianceId ?? null,
  };
  if (!enrolled) return { ...base, state: "not_enrolled" };
  const live = services.link?.state;
  if (!services.config.link.enabled) return { ...base, state: "disabled" };
  if (!live) return { ...base, state: "not_started" };
  return {
    ...base,
    state:
      live.status === "waiting"
        ? "disconnected"
        : live.status === "connecting" && live.reconnects > 0
          ? "disconnected"
          : live.status,
    since: live.connectedAt,
    lastHeartbeatAt: live.lastHeartbeatAt,
    rttMs: live.rttMs,
    lastError: live.lastError,
    retryAt: live.retryAt,
    reconnects: live.reconnects,
  };
}

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
  /** The link to the edge, with `textnlp_link_connected` as `/metrics` says it. */
  link: LinkFigure & { connected: number };
}

const NO_LINK: LinkFigure = {
  state: "not_enrolled",
  edgeUrl: null,
  site: null,
  applianceId: null,
  since: null,
  lastHeartbeatAt: null,
  rttMs: null,
  lastError: null,
  retryAt: null,
  reconnects: 0,
};

/** The dashboard's figures of a running appliance (the page and its refresh both use this). */
export function applianceFigures(
  services: Pick<ApplianceServices, "db" | "config" | "link"> & { metrics: ApplianceMetrics },
): Promise<DashboardFigures> {
  return dashboardFigures(
    services.metrics,
    () => latestBackupState(services.db),
    () => linkFigure(services),
  );
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
  link: () => LinkFigure = () => ({ ...NO_LINK }),
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
    link: { ...link(), connected: sum("textnlp_link_connected") },
  };
}

/** One line of the dashboard's usage tables. */
export interface UsageLine {
  /** A key's name and id (or {@link NO_KEY}), or a model. */
  name: string;
  total: UsageTotal;
}

/** The tenant's usage over the last 30 days (`GET /v1/usage`'s default span), by key and by model. */
export interface UsageFigures {
  byKey: UsageLine[];
  byModel: UsageLine[];
}

/** Calls without a key: the edge's (over the link), a token's, a panel user's job, open access. */
export const NO_KEY = "no key (edge link, token, panel or open access)";

/** The dashboard's usage tables, from the same report `GET /v1/usage` serves. */
export async function usageFigures(
  services: Pick<ApplianceServices, "db" | "usage">,
  tenantId: string,
  now = Date.now(),
): Promise<UsageFigures> {
  // Every call answered so far, rows still waiting in memory included.
  services.usage?.flush();
  const rows = await summarizeUsage(
    services.db,
    tenantId,
    new Date(now - USAGE_WINDOW_MS),
    new Date(now + 1),
  );
  const keys = new Map((await listApiKeys(services.db, tenantId)).map((key) => [key.id, key.name]));
  return {
    byKey: totalUsageBy(rows, (r) =>
      r.keyId === null ? NO_KEY : `${keys.get(r.keyId) ?? "deleted key"} (${r.keyId})`,
    ),
    byModel: totalUsageBy(rows, (r) => r.model || "(no model named)"),
  };
}
