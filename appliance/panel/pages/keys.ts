import { html } from "hono/html";
import type { ApiKey } from "../../../shared/db/schema/index.ts";
import { formatTime } from "./format.ts";

/** Scopes the create form offers (what the appliance's routes ask for), with what each allows. */
export const KEY_SCOPE_CHOICES: [scope: string, label: string][] = [
  ["*", "Everything (all scopes, administration included)"],
  ["inference", "Inference: chat, completions, embeddings"],
  ["models:read", "List models"],
  ["templates", "Templates"],
  ["jobs", "Jobs"],
  ["datasets", "Datasets"],
  ["review", "Review"],
  ["validate", "Validation"],
  ["metrics", "Metrics"],
  ["admin:*", "Administration: keys, users, audit log"],
];

function keyRow(key: ApiKey, now: Date, liveCount: number) {
  const expired = key.expiresAt !== null && key.expiresAt <= now;
  const status = key.revokedAt
    ? `revoked ${formatTime(key.revokedAt)}`
    : expired
      ? `expired ${formatTime(key.expiresAt)}`
      : "live";
  return html`<tr data-key="${key.id}" data-status="${key.revokedAt ? "revoked" : expired ? "expired" : "live"}">
    <th scope="row">${key.name}</th>
    <td><code>${key.prefix}…</code></td>
    <td>${key.scopes.join(", ")}</td>
    <td>${formatTime(key.createdAt)}</td>
    <td>${key.lastUsedAt ? formatTime(key.lastUsedAt) : "never"}</td>
    <td>${key.expiresAt ? formatTime(key.expiresAt) : "never"}</td>
    <td>${status}</td>
    <td class="actions">${
      key.revokedAt
        ? ""
        : html`<button type="button" class="danger" data-action="key-revoke" data-id="${key.id}" data-name="${key.name}" ${liveCount === 1 ? html`data-last-live` : ""}>Revoke<span class="visually-hidden"> ${key.name}</span></button>`
    }</td>
  </tr>`;
}

/**
 * API keys: the create form (the secret appears once, in the box below it, filled by the
 * page's script from the API's answer: it is never part of a rendered page), and the list.
 */
export function keysBody(keys: ApiKey[], now = new Date()) {
  const live = keys.filter((k) => !k.revokedAt && !(k.expiresAt && k.expiresAt <= now)).length;
  return html`<section aria-labelledby="create-heading">
      <h2 id="create-heading">Create a key</h2>
      <form id="key-create" class="card">
        <label for="key-name">Name (what the key is for)</label>
        <input id="key-name" name="name" required maxlength="100" autocomplete="off" />
        <fieldset class="scopes">
          <legend>Scopes</legend>
          ${KEY_SCOPE_CHOICES.map(
            ([scope, label], i) =>
              html`<div class="check"><input id="scope-${i}" type="checkbox" name="scopes" value="${scope}" ${scope === "inference" || scope === "models:read" ? html`checked` : ""} /><label for="scope-${i}">${label} <code>${scope}</code></label></div>`,
          )}
        </fieldset>
        <label for="key-expires">Expires after (days, empty: never)</label>
        <input id="key-expires" name="expires_in_days" type="number" min="1" max="3650" />
        <button type="submit">Create key</button>
      </form>
      <section id="key-created" class="secret-box" aria-labelledby="key-created-heading" hidden>
        <h3 id="key-created-heading">New key created</h3>
        <p class="warning"><strong>Copy this secret now.</strong> It is shown only this once: the appliance keeps only its hash, and nobody can show it again.</p>
        <label for="key-secret">Secret of the new key</label>
        <div class="secret-row">
          <input id="key-secret" readonly autocomplete="off" spellcheck="false" />
          <button type="button" data-action="key-copy">Copy</button>
        </div>
        <button type="button" data-action="key-done">Done: hide the secret</button>
      </section>
    </section>
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">Keys</h2>
      ${
        keys.length === 0
          ? html`<p>No key yet: while there is none, the API on a loopback address needs no key.</p>`
          : html`<table>
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
        <tbody>${keys.map((key) => keyRow(key, now, live))}</tbody>
      </table>`
      }
    </section>`;
}
