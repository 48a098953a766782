import { html } from "hono/html";
import type { AuditEntry } from "../../../shared/db/schema/index.ts";
import { formatTime } from "./format.ts";

/** The audit page's filters as typed (the form shows them back). */
export interface AuditPageFilter {
  actor?: string;
  action?: string;
  /** `datetime-local` values, read as UTC. */
  from?: string;
  to?: string;
  /** Entries a page (the API's bounds); the panel's default when absent. */
  limit?: string;
}

/** Links to a page of the same filters, starting after `cursor` (none: the newest). */
function pageLink(filter: AuditPageFilter, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return `/panel/audit${query ? `?${query}` : ""}`;
}

/** Who acted, as people read it: a user's or key's name where it is known. */
function actorText(entry: AuditEntry, names: Map<string, string>): string {
  const name = names.get(entry.actorId);
  if (entry.actorKind === "user") return name ? `${name} (user)` : `${entry.actorId} (user)`;
  if (entry.actorKind === "api_key")
    return name ? `key "${name}" (${entry.actorId})` : `key ${entry.actorId}`;
  return entry.actorId;
}

/**
 * The audit log, newest first: filters (actor, action, time window) in a plain GET form, so
 * the page works and can be bookmarked without its script, and "older" paging by cursor.
 */
export function auditBody(options: {
  entries: AuditEntry[];
  names: Map<string, string>;
  filter: AuditPageFilter;
  nextCursor: string | null;
  paged: boolean;
  error?: string;
}) {
  const { entries, names, filter, nextCursor, paged, error } = options;
  return html`<section aria-labelledby="filter-heading">
      <h2 id="filter-heading">Filter</h2>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
      <form id="audit-filter" method="get" action="/panel/audit" class="card grid">
        <label for="audit-actor">Actor (user name, key id or <code>cli:…</code>)</label>
        <input id="audit-actor" name="actor" value="${filter.actor ?? ""}" autocomplete="off" />
        <label for="audit-action">Action (<code>user.create</code>, or <code>user.*</code>)</label>
        <input id="audit-action" name="action" value="${filter.action ?? ""}" autocomplete="off" />
        <label for="audit-from">From (UTC)</label>
        <input id="audit-from" name="from" type="datetime-local" step="1" value="${filter.from ?? ""}" />
        <label for="audit-to">To (UTC)</label>
        <input id="audit-to" name="to" type="datetime-local" step="1" value="${filter.to ?? ""}" />
        ${filter.limit ? html`<input type="hidden" name="limit" value="${filter.limit}" />` : ""}
        <div class="buttons"><button type="submit">Filter</button><a href="/panel/audit">Clear filters</a></div>
      </form>
    </section>
    <section aria-labelledby="entries-heading">
      <h2 id="entries-heading">Entries, newest first</h2>
      ${
        entries.length === 0
          ? html`<p>No entry${paged ? " on this page" : ""}.</p>`
          : html`<table>
        <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Detail</th></tr></thead>
        <tbody>${entries.map(
          (
            e,
          ) => html`<tr data-audit="${e.id}" data-audit-action="${e.action}" data-actor="${e.actorId}">
            <td>${formatTime(e.createdAt)}</td>
            <td>${actorText(e, names)}</td>
            <td><code>${e.action}</code></td>
            <td>${e.target ?? "–"}</td>
            <td>${e.detail ? html`<code class="detail">${JSON.stringify(e.detail)}</code>` : "–"}</td>
          </tr>`,
        )}</tbody>
      </table>`
      }
      <nav aria-label="Audit pages" class="pager">
        ${paged ? html`<a href="${pageLink(filter)}">Newest entries</a>` : ""}
        ${nextCursor ? html`<a href="${pageLink(filter, nextCursor)}" rel="next">Older entries</a>` : ""}
      </nav>
    </section>`;
}
