import { html } from "hono/html";
import type { Job } from "../../../shared/api/schemas/synth.ts";

const percent = (job: Job) =>
  job.total > 0 ? Math.floor((job.progress.done / job.total) * 100) : 0;

/** One job's row; the page's script keeps it up to date from the job's SSE stream. */
function jobRow(job: Job) {
  const live = job.status === "queued" || job.status === "running" || job.status === "paused";
  return html`<tr data-job="${job.id}" data-status="${job.status}" ${live ? html`data-live` : ""}>
    <th scope="row"><code>${job.id}</code></th>
    <td>${job.template.name} v${job.template.version}</td>
    <td>${job.model}</td>
    <td data-cell="status">${job.status}</td>
    <td>
      <progress data-cell="bar" max="${job.total}" value="${job.progress.done}" aria-label="Progress of ${job.id}">${percent(job)}%</progress>
      <span data-cell="progress">${job.progress.done} / ${job.total} (${percent(job)}%)</span>
    </td>
    <td data-cell="error">${job.error ?? ""}${job.progress.failed > 0 ? ` ${job.progress.failed} failed` : ""}</td>
    <td class="actions">
      <button type="button" data-action="job-pause" data-id="${job.id}">Pause<span class="visually-hidden"> ${job.id}</span></button>
      <button type="button" data-action="job-resume" data-id="${job.id}">Resume<span class="visually-hidden"> ${job.id}</span></button>
      <button type="button" class="danger" data-action="job-cancel" data-id="${job.id}">Cancel<span class="visually-hidden"> ${job.id}</span></button>
    </td>
  </tr>`;
}

/** The job list and the form that creates one from a template (with preview and estimate). */
export function jobsBody(jobs: Job[], templates: string[], models: string[]) {
  return html`<section aria-labelledby="new-heading">
      <h2 id="new-heading">New job</h2>
      ${
        templates.length === 0
          ? html`<p>No template yet: push one with <code>textnlp templates push</code>.</p>`
          : html`<form id="job-create" class="card grid">
        <label for="job-template">Template</label>
        <select id="job-template" name="template">${templates.map((t) => html`<option>${t}</option>`)}</select>
        <label for="job-model">Model</label>
        <select id="job-model" name="model">${models.map((m) => html`<option>${m}</option>`)}</select>
        <label for="job-rows">Seed rows (a JSON array of objects, one per row)</label>
        <textarea id="job-rows" name="rows" rows="4">[{}]</textarea>
        <label for="job-samples">Samples per row</label>
        <input id="job-samples" name="samples_per_row" type="number" min="1" max="1000" value="1" />
        <label for="job-max-tokens">Max tokens per sample</label>
        <input id="job-max-tokens" name="max_tokens" type="number" min="1" value="32" />
        <label for="job-seed">Seed (optional)</label>
        <input id="job-seed" name="seed" type="number" min="0" />
        <div class="buttons">
          <button type="button" data-action="job-preview">Preview</button>
          <button type="button" data-action="job-estimate">Estimate</button>
          <button type="submit">Start job</button>
        </div>
      </form>
      <div id="job-preview" aria-live="polite"></div>`
      }
    </section>
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      ${
        jobs.length === 0
          ? html`<p>No job yet.</p>`
          : html`<table>
        <thead><tr><th scope="col">Job</th><th scope="col">Template</th><th scope="col">Model</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Errors</th><th scope="col">Actions</th></tr></thead>
        <tbody>${jobs.map(jobRow)}</tbody>
      </table>`
      }
    </section>`;
}
