import { html } from "hono/html";
import type { RubricCriterion } from "../../../shared/db/schema/index.ts";

/** A task of the logged-in reviewer, as the review page shows it. */
export interface ReviewItem {
  id: string;
  row: number;
  sample: number;
  output: string | null;
  variables: Record<string, unknown>;
}

/** The keys the review queue answers to (shown on the page, handled by its script). */
export const REVIEW_SHORTCUTS: readonly [string, string][] = [
  ["a", "accept"],
  ["r", "reject"],
  ["e", "edit the output (Ctrl+Enter saves the edit, Escape leaves it)"],
  ["1–9", "rate the highlighted criterion, then move to the next one"],
  ["j / k", "next / previous sample without a verdict"],
  ["?", "show or hide these keys"],
];

function ratingFieldset(taskId: string, c: RubricCriterion, index: number) {
  const values = Array.from({ length: c.max - c.min + 1 }, (_, i) => c.min + i);
  return html`<fieldset class="rating" data-criterion="${c.name}" data-index="${index}">
    <legend>${c.name} (${c.min}–${c.max})${c.description ? html` <span class="muted">${c.description}</span>` : ""}</legend>
    ${values.map(
      (v) =>
        html`<label class="rate"><input type="radio" name="${taskId}-${c.name}" value="${v}" /> ${v}</label>`,
    )}
  </fieldset>`;
}

function taskArticle(item: ReviewItem, rubric: readonly RubricCriterion[], position: number) {
  const variables = Object.entries(item.variables);
  return html`<article class="review-task card" data-task="${item.id}" data-position="${position}" aria-labelledby="task-${item.id}-heading" hidden>
    <h3 id="task-${item.id}-heading">Sample ${item.row}.${item.sample}</h3>
    ${
      variables.length === 0
        ? ""
        : html`<dl class="variables">${variables.map(([k, v]) => html`<div><dt>${k}</dt><dd>${typeof v === "string" ? v : JSON.stringify(v)}</dd></div>`)}</dl>`
    }
    <h4>Output</h4>
    <pre data-cell="output">${item.output ?? ""}</pre>
    ${rubric.map((c, i) => ratingFieldset(item.id, c, i))}
    <div class="edit" hidden>
      <label for="edit-${item.id}">Corrected output</label>
      <textarea id="edit-${item.id}" rows="5">${item.output ?? ""}</textarea>
    </div>
    <label for="comment-${item.id}">Comment (optional)</label>
    <input id="comment-${item.id}" data-cell="comment" />
    <div class="verdict-buttons">
      <button type="button" data-verdict="accept"><kbd>a</kbd> Accept</button>
      <button type="button" class="danger" data-verdict="reject"><kbd>r</kbd> Reject</button>
      <button type="button" data-verdict="edit"><kbd>e</kbd> Edit</button>
    </div>
    <p class="verdict" data-cell="verdict" role="status"></p>
  </article>`;
}

/**
 * The review queue of one dataset for the logged-in user: their samples one at a time, judged
 * with buttons or keys; the queue's summary (agreement included); and the form that assigns
 * reviewers.
 */
export function reviewBody(options: {
  datasetId: string;
  reviewer: string;
  rubric: readonly RubricCriterion[];
  items: ReviewItem[];
  /** The reviewer's tasks already done. */
  done: number;
  counts: { pending: number; done: number };
  users: string[];
}) {
  const { datasetId, rubric, items } = options;
  return html`<p><a href="/panel/datasets/${datasetId}">Dataset <code>${datasetId}</code></a></p>
    <section aria-labelledby="queue-heading" id="review-queue" data-dataset="${datasetId}" data-reviewer="${options.reviewer}">
      <h2 id="queue-heading">Your queue</h2>
      <p data-cell="progress" aria-live="polite">${items.length} to review, ${options.done} done by you.</p>
      ${items.length === 0 ? html`<p data-cell="empty">Nothing is waiting for you in this dataset.</p>` : ""}
      ${items.map((item, i) => taskArticle(item, rubric, i))}
      <details class="keys" id="review-keys">
        <summary>Keyboard shortcuts</summary>
        <dl>${REVIEW_SHORTCUTS.map(([k, what]) => html`<div><dt><kbd>${k}</kbd></dt><dd>${what}</dd></div>`)}</dl>
      </details>
    </section>
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading">Summary</h2>
      <dl class="figures" id="review-summary" data-dataset="${datasetId}">
        <div class="figure"><dt>Tasks pending</dt><dd data-summary="pending">${options.counts.pending}</dd></div>
        <div class="figure"><dt>Tasks done</dt><dd data-summary="done">${options.counts.done}</dd></div>
        <div class="figure"><dt>Accepted / rejected / edited</dt><dd data-summary="decisions">–</dd></div>
        <div class="figure"><dt>Agreement on decisions</dt><dd data-summary="agreement">–</dd></div>
      </dl>
    </section>
    <section aria-labelledby="assign-heading">
      <h2 id="assign-heading">Assign reviewers</h2>
      <form id="review-assign" class="card" data-dataset="${datasetId}">
        <fieldset>
          <legend>Reviewers</legend>
          ${options.users.map(
            (u) =>
              html`<div class="check"><input type="checkbox" id="reviewer-${u}" name="reviewers" value="${u}" /><label for="reviewer-${u}">${u}</label></div>`,
          )}
        </fieldset>
        <label for="assign-per-sample">Reviewers per sample (default: all chosen)</label>
        <input id="assign-per-sample" name="reviewers_per_sample" type="number" min="1" />
        ${
          rubric.length > 0
            ? html`<p>Rubric: ${rubric.map((c) => `${c.name} (${c.min}–${c.max})`).join(", ")}.</p>`
            : html`<label for="assign-rubric">Rubric: one criterion per line, <code>name min max</code> (optional, set once)</label>
        <textarea id="assign-rubric" name="rubric" rows="3" placeholder="fluency 1 5"></textarea>`
        }
        <button type="submit">Assign</button>
      </form>
    </section>`;
}
