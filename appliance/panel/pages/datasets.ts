import { html } from "hono/html";
import type { Dataset } from "../../../shared/api/schemas/synth.ts";
import {
  REFERENCE_METRICS,
  VALIDATE_METRICS,
  type ValidateMetric,
} from "../../../shared/api/schemas/validate.ts";
import { type Distribution, numericFigures } from "../histogram.ts";
import { formatTime } from "./format.ts";

/** Metrics a dataset can be validated on from the panel: those needing no references. */
export const DATASET_METRICS: readonly ValidateMetric[] = VALIDATE_METRICS.filter(
  (m) => !REFERENCE_METRICS.includes(m),
);

/** Which samples the table shows. */
export const SAMPLE_FILTERS = ["all", "kept", "dropped", "failed"] as const;
export type SampleFilter = (typeof SAMPLE_FILTERS)[number];

/** A sample as the Datasets page shows it. */
export interface PanelSample {
  row: number;
  sample: number;
  status: "ok" | "failed";
  kept: boolean | null;
  output: string | null;
  error: string | null;
  /** Why post-processing dropped it ("filter: length 3 < 10"), or null. */
  reason: string | null;
  /** Numeric figures: post-processing scores and the latest validation run's. */
  metrics: Record<string, number>;
}

/** The latest validation run of a dataset, as the page summarises it. */
export interface RunSummary {
  id: string;
  metrics: string[];
  samples: number;
  createdAt: Date;
  /** A comparison job's run: each model's sample count and figures; null for one model. */
  byModel: Record<
    string,
    { samples: number; aggregate: Record<string, Record<string, unknown>> }
  > | null;
}

/**
 * A comparison's latest run side by side: one column per model, one row per numeric figure of
 * the run's aggregates (`readability.flesch`), the sample count first.
 */
function byModelTable(byModel: NonNullable<RunSummary["byModel"]>) {
  const models = Object.entries(byModel).map(([name, m]) => ({
    name,
    samples: m.samples,
    figures: numericFigures(m.aggregate),
  }));
  const names = [...new Set(models.flatMap((m) => Object.keys(m.figures)))].sort();
  const cell = (model: string, figure: string, value: number | undefined) =>
    value === undefined
      ? html`<td data-model="${model}" data-figure="${figure}">–</td>`
      : html`<td data-model="${model}" data-figure="${figure}" data-value="${value}">${formatFigure(value)}</td>`;
  return html`<table id="validation-by-model">
    <caption>Latest run, model by model</caption>
    <thead><tr><th scope="col">Figure</th>${models.map((m) => html`<th scope="col">${m.name}</th>`)}</tr></thead>
    <tbody>
      <tr><th scope="row">samples</th>${models.map((m) => cell(m.name, "samples", m.samples))}</tr>
      ${names.map(
        (figure) =>
          html`<tr><th scope="row">${figure}</th>${models.map((m) => cell(m.name, figure, m.figures[figure]))}</tr>`,
      )}
    </tbody>
  </table>`;
}

/** A figure short enough for a table cell: four significant digits. */
export const formatFigure = (n: number) =>
  Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));

const datasetDate = (d: Dataset) => formatTime(new Date(d.created_at * 1000));

/** Every finished job's dataset, with links to browse and review it. */
export function datasetsListBody(datasets: Dataset[]) {
  if (datasets.length === 0)
    return html`<p>No dataset yet: a dataset is what a finished job produced (see <a href="/panel/jobs">Jobs</a>).</p>`;
  return html`<table>
    <thead><tr><th scope="col">Dataset</th><th scope="col">Template</th><th scope="col">Model</th><th scope="col">Samples</th><th scope="col">Kept</th><th scope="col">Finished</th><th scope="col">Actions</th></tr></thead>
    <tbody>
      ${datasets.map(
        (d) => html`<tr data-dataset="${d.id}">
          <th scope="row"><a href="/panel/datasets/${d.id}"><code>${d.id}</code></a></th>
          <td>${d.template.name} v${d.template.version}</td>
          <td>${d.model}</td>
          <td>${d.samples}</td>
          <td>${d.kept}</td>
          <td>${datasetDate(d)}</td>
          <td class="actions"><a href="/panel/datasets/${d.id}">Browse<span class="visually-hidden"> ${d.id}</span></a> <a href="/panel/datasets/${d.id}/review">Review<span class="visually-hidden"> ${d.id}</span></a></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A distribution as bars (equal-width bins), with its figures in the caption. */
function histogramFigure(d: Distribution, index: number) {
  const id = `hist-${index}`;
  const most = Math.max(1, ...d.bins.map((b) => b.count));
  const width = 200 / Math.max(1, d.bins.length);
  return html`<figure class="chart" data-histogram="${d.metric}" data-count="${d.count}">
    <figcaption id="${id}-caption"><strong>${d.metric}</strong>: ${d.count} samples, min ${formatFigure(d.min)}, mean ${formatFigure(d.mean)}, max ${formatFigure(d.max)}</figcaption>
    <svg role="img" aria-labelledby="${id}-caption" viewBox="0 0 200 60" preserveAspectRatio="none" class="histogram">
      ${d.bins.map((b, i) => {
        const height = (b.count / most) * 56;
        return html`<rect data-bin="${i}" data-count="${b.count}" x="${(i * width + 0.5).toFixed(2)}" y="${(60 - height).toFixed(2)}" width="${(width - 1).toFixed(2)}" height="${height.toFixed(2)}"><title>${formatFigure(b.lo)} to ${formatFigure(b.hi)}: ${b.count}</title></rect>`;
      })}
    </svg>
  </figure>`;
}

const filterLabel: Record<SampleFilter, string> = {
  all: "All",
  kept: "Kept",
  dropped: "Dropped",
  failed: "Failed",
};

function sampleRow(s: PanelSample) {
  const kept =
    s.status === "failed" ? "failed" : s.kept === null ? "–" : s.kept ? "kept" : "dropped";
  const metrics = Object.entries(s.metrics);
  return html`<tr data-sample="${s.row}.${s.sample}" data-kept="${kept}">
    <th scope="row">${s.row}.${s.sample}</th>
    <td class="output">${s.output ?? ""}</td>
    <td>${kept}</td>
    <td data-cell="reason">${s.reason ?? s.error ?? ""}</td>
    <td>${
      metrics.length === 0
        ? "–"
        : html`<dl class="metrics">${metrics.map(([name, value]) => html`<div><dt>${name}</dt><dd data-metric="${name}" data-value="${value}">${formatFigure(value)}</dd></div>`)}</dl>`
    }</td>
  </tr>`;
}

/** One dataset: export, validation, metric histograms, and its samples page by page. */
export function datasetBody(options: {
  dataset: Dataset;
  samples: PanelSample[];
  view: SampleFilter;
  offset: number;
  limit: number;
  hasMore: boolean;
  distributions: Distribution[];
  run: RunSummary | null;
}) {
  const { dataset: d, view, offset, limit } = options;
  const base = `/panel/datasets/${d.id}`;
  const pageLink = (at: number) => `${base}?view=${view}&offset=${Math.max(0, at)}`;
  return html`<p><a href="/panel/datasets">All datasets</a> · <a href="${base}/review">Review queue</a></p>
    <dl class="figures">
      <div class="figure"><dt>Template</dt><dd>${d.template.name} v${d.template.version}</dd></div>
      <div class="figure"><dt>Model</dt><dd>${d.model}</dd></div>
      <div class="figure"><dt>Samples</dt><dd data-figure="samples">${d.samples}</dd></div>
      <div class="figure"><dt>Kept</dt><dd data-figure="kept">${d.kept}</dd></div>
    </dl>
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <form method="get" action="/v1/datasets/${d.id}/export" class="card inline" id="dataset-export">
        <label for="export-format">Format</label>
        <select id="export-format" name="format">
          <option value="jsonl">JSONL</option><option value="csv">CSV</option><option value="chat">Chat fine-tuning JSONL</option><option value="parquet">Parquet</option>
        </select>
        <label for="export-include">Samples</label>
        <select id="export-include" name="include">
          <option value="kept">Kept by post-processing</option><option value="all">All generated</option>
        </select>
        <button type="submit">Download</button>
      </form>
    </section>
    <section aria-labelledby="validate-heading">
      <h2 id="validate-heading">Validate</h2>
      <p>${
        options.run
          ? html`Latest run <code>${options.run.id}</code> (${formatTime(options.run.createdAt)}): ${options.run.metrics.join(", ")} on ${options.run.samples} samples.`
          : "No validation run yet."
      } Figures of the latest run are shown per sample and below.</p>
      ${options.run?.byModel ? byModelTable(options.run.byModel) : ""}
      <form id="dataset-validate" class="card" data-dataset="${d.id}">
        <fieldset>
          <legend>Metrics</legend>
          ${DATASET_METRICS.map(
            (m) =>
              html`<div class="check"><input type="checkbox" id="metric-${m}" name="metrics" value="${m}" /><label for="metric-${m}">${m}</label></div>`,
          )}
        </fieldset>
        <button type="submit">Run validation</button>
      </form>
    </section>
    <section aria-labelledby="dist-heading">
      <h2 id="dist-heading">Distributions</h2>
      ${
        options.distributions.length === 0
          ? html`<p>No numeric figures yet: post-processing scores and validation runs add them.</p>`
          : html`<div class="charts">${options.distributions.map(histogramFigure)}</div>`
      }
    </section>
    <section aria-labelledby="samples-heading">
      <h2 id="samples-heading">Samples</h2>
      <nav aria-label="Which samples"><ul class="tab-list">
        ${SAMPLE_FILTERS.map(
          (v) =>
            html`<li><a href="${base}?view=${v}" ${v === view ? html`aria-current="page"` : ""}>${filterLabel[v]}</a></li>`,
        )}
      </ul></nav>
      ${
        options.samples.length === 0
          ? html`<p>No sample here.</p>`
          : html`<table class="samples">
        <thead><tr><th scope="col">Row.sample</th><th scope="col">Output</th><th scope="col">Fate</th><th scope="col">Filter reason / error</th><th scope="col">Metrics</th></tr></thead>
        <tbody>${options.samples.map(sampleRow)}</tbody>
      </table>`
      }
      <nav aria-label="Pages" class="pager">
        ${offset > 0 ? html`<a href="${pageLink(offset - limit)}" rel="prev">Previous page</a>` : ""}
        <span>Samples ${options.samples.length === 0 ? 0 : offset + 1}–${offset + options.samples.length}</span>
        ${options.hasMore ? html`<a href="${pageLink(offset + limit)}" rel="next">Next page</a>` : ""}
      </nav>
    </section>`;
}
