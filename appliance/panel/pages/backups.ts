import { html } from "hono/html";
import type { BackupRow } from "../../../shared/db/schema/index.ts";
import { formatBytes, formatTime } from "./format.ts";

/** Recorded backups, newest first, and "run now". */
export function backupsBody(rows: BackupRow[], options: { encrypted: boolean; dir: string }) {
  return html`<section aria-labelledby="run-heading">
      <h2 id="run-heading">Run a backup</h2>
      <p>Backups go to <code>${options.dir}</code>, ${options.encrypted ? "encrypted (AES-256-GCM)" : html`<strong>not encrypted</strong> (set <code>backup.keyFile</code>)`}. The appliance keeps serving while one runs.</p>
      <button type="button" data-action="backup-now">Back up now</button>
    </section>
    <section aria-labelledby="list-heading">
      <h2 id="list-heading">Recorded backups</h2>
      ${
        rows.length === 0
          ? html`<p>No backup yet.</p>`
          : html`<table>
        <thead><tr><th scope="col">Taken</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Size</th><th scope="col">Encrypted</th><th scope="col">SHA-256 / error</th></tr></thead>
        <tbody>
          ${rows.map(
            (b) => html`<tr data-backup="${b.id}">
              <th scope="row">${formatTime(b.createdAt)}</th>
              <td>${b.kind}</td>
              <td>${b.status}</td>
              <td>${formatBytes(b.sizeBytes)}</td>
              <td>${b.encrypted ? "yes" : "no"}</td>
              <td>${b.status === "failed" ? b.error : html`<code class="hash">${b.sha256 ?? ""}</code>`}</td>
            </tr>`,
          )}
        </tbody>
      </table>`
      }
    </section>`;
}
