import { html } from "hono/html";
import type {
  DashboardFigures,
  LinkFigure,
  UsageFigures,
  UsageLine,
} from "../dashboard-figures.ts";
import { formatAge, formatBytes, formatTime } from "./format.ts";

const at = (ms: number | null) => formatTime(ms == null ? null : new Date(ms));

/** The link to the edge in one line (what `textnlp-appliance status` says, in words). */
export function linkText(link: LinkFigure, now: number): string {
  const where = `${link.edgeUrl} (site ${link.site})`;
  switch (link.state) {
    case "not_enrolled":
      return "not enrolled (local only)";
    case "disabled":
      return `enrolled in ${where}, link switched off (link.enabled is false)`;
    case "not_started":
      return `enrolled in ${where} since the last start: the link opens when the appliance restarts`;
    case "connecting":
      return `connecting to ${where}`;
    case "connected": {
      const beat =
        link.lastHeartbeatAt == null
          ? "no heartbeat yet"
          : `last heartbeat ${formatAge((now - link.lastHeartbeatAt) / 1000)} ago${link.rttMs == null ? "" : ` (${link.rttMs} ms)`}`;
      return `connected to ${where} since ${at(link.since)}, ${beat}`;
    }
    case "disconnected":
      return `disconnected from ${where}: ${link.lastError ?? "no answer"}; next try ${link.retryAt == null ? "now" : at(link.retryAt)}`;
    case "refused":
      return `refused by ${where}: ${link.lastError ?? "refused"} (not retrying)`;
    case "stopped":
      return "stopped (shutting down)";
  }
}

/**
 * The dashboard's figures as people read them, keyed like its `data-figure` cells: rendered
 * here and sent with each refresh, so the page's script never formats a number itself.
 */
export function figureTexts(f: DashboardFigures): Record<string, string> {
  return {
    tokensGeneratedTotal: String(f.tokensGeneratedTotal),
    meanTokensPerSecond: f.meanTokensPerSecond == null ? "–" : f.meanTokensPerSecond.toFixed(1),
    meanLatencySeconds:
      f.meanLatencySeconds == null ? "–" : `${(f.meanLatencySeconds * 1000).toFixed(0)} ms`,
    queueDepth: String(f.queueDepth),
    activeSequences: String(f.activeSequences),
    residentMemoryBytes: formatBytes(f.residentMemoryBytes),
    cpuSecondsTotal: `${f.cpuSecondsTotal.toFixed(1)} s`,
    backup:
      f.backupLastSuccess == null
        ? "none yet"
        : `${f.backupLastSuccess === 1 ? "succeeded" : "FAILED"}, ${formatAge(f.backupAgeSeconds)} ago`,
    link: linkText(f.link, f.at),
  };
}

/** Raw values behind the figures (the `data-value` a test or a script compares). */
export function figureValues(f: DashboardFigures): Record<string, number | null> {
  return {
    tokensGeneratedTotal: f.tokensGeneratedTotal,
    meanTokensPerSecond: f.meanTokensPerSecond,
    meanLatencySeconds: f.meanLatencySeconds,
    queueDepth: f.queueDepth,
    activeSequences: f.activeSequences,
    residentMemoryBytes: f.residentMemoryBytes,
    cpuSecondsTotal: f.cpuSecondsTotal,
    backup: f.backupLastSuccess,
    // textnlp_link_connected, as /metrics says it.
    link: f.link.connected,
  };
}

const LABELS: [string, string][] = [
  ["tokensGeneratedTotal", "Tokens generated"],
  ["meanTokensPerSecond", "Mean tokens/s per generation"],
  ["meanLatencySeconds", "Mean request latency"],
  ["queueDepth", "Queue depth"],
  ["activeSequences", "Active sequences"],
  ["residentMemoryBytes", "Process memory (resident)"],
  ["cpuSecondsTotal", "CPU time used"],
  ["backup", "Last backup"],
  ["link", "Link to the edge"],
];

const chart = (id: string, caption: string) =>
  html`<figure class="chart">
    <figcaption id="${id}-caption">${caption}</figcaption>
    <svg id="${id}" data-chart="${id}" role="img" aria-labelledby="${id}-caption" viewBox="0 0 300 80" preserveAspectRatio="none">
      <polyline points="" />
    </svg>
    <p class="chart-now" data-chart-now="${id}" aria-live="off">–</p>
  </figure>`;

/** One usage table (by key or by model): requests, errors and tokens over the report's days. */
function usageTable(id: string, caption: string, what: string, lines: UsageLine[]) {
  if (lines.length === 0) return html`<p data-usage="${id}">No calls in the last 30 days.</p>`;
  return html`<table data-usage="${id}">
      <caption>${caption}</caption>
      <thead><tr><th scope="col">${what}</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Prompt tokens</th><th scope="col">Completion tokens</th></tr></thead>
      <tbody>${lines.map(
        ({ name, total }) =>
          html`<tr><th scope="row">${name}</th><td>${total.requests}</td><td>${total.errors}</td><td>${total.promptTokens}</td><td>${total.completionTokens}</td></tr>`,
      )}</tbody>
    </table>`;
}

/** Usage of the last 30 days by key and by model (what `GET /v1/usage` reports, summed). */
function usageSection(u: UsageFigures) {
  return html`<section aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage, last 30 days</h2>
      ${usageTable("by-key", "By API key", "Key", u.byKey)}
      ${usageTable("by-model", "By model", "Model", u.byModel)}
    </section>`;
}

/**
 * The dashboard: figures read from the metrics registry at render, then refreshed every two
 * seconds by the page's script (which also draws the last minutes as charts); usage as of the
 * page's render.
 */
export function dashboardBody(f: DashboardFigures, usage: UsageFigures) {
  const texts = figureTexts(f);
  const values = figureValues(f);
  return html`<section aria-labelledby="now-heading" data-dashboard>
      <h2 id="now-heading">Now</h2>
      <dl class="figures">
        ${LABELS.map(
          ([key, label]) =>
            html`<div class="figure"><dt>${label}</dt><dd data-figure="${key}" data-value="${values[key] ?? ""}">${texts[key]}</dd></div>`,
        )}
      </dl>
    </section>
    <section aria-labelledby="charts-heading">
      <h2 id="charts-heading">Over time</h2>
      <div class="charts">
        ${chart("tokens-rate", "Tokens generated per second")}
        ${chart("latency", "Mean request latency (ms)")}
        ${chart("cpu", "CPU (% of one core)")}
        ${chart("memory", "Resident memory (MiB)")}
        ${chart("queue", "Queue depth")}
      </div>
    </section>
    <section aria-labelledby="models-heading">
      <h2 id="models-heading">Loaded models</h2>
      <ul data-figure="loadedModels" data-value="${f.loadedModels.map((m) => m.model).join(",")}">
        ${f.loadedModels.length === 0 ? html`<li>none (models load on first use)</li>` : f.loadedModels.map((m) => html`<li>${m.model} (${m.sequences} sequences)</li>`)}
      </ul>
    </section>
    ${usageSection(usage)}
    ${
      f.gpus.length > 0
        ? html`<section aria-labelledby="gpu-heading"><h2 id="gpu-heading">GPUs</h2><ul>${f.gpus.map((g) => html`<li>${g.gpu}: ${g.utilization == null ? "–" : `${Math.round(g.utilization * 100)} %`}, ${formatBytes(g.memoryUsedBytes)} used</li>`)}</ul></section>`
        : ""
    }`;
}
