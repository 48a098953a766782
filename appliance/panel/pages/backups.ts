import { html } from "hono/html";
import type { BackupRow } from "../../../shared/db/schema/index.ts";
import type { PendingRestore, RestoreOutcome } from "../../backup/pending-restore.ts";
import type { EffectiveSetting } from "../../settings/runtime-settings.ts";
import { formatBytes, formatTime } from "./format.ts";
import { runtimeSettingsForm } from "./settings-form.ts";

/** What the Backups page shows besides the list. */
export interface BackupsPageOptions {
  encrypted: boolean;
  dir: string;
  /** The remote store offsite copies go to (`backup.remote.url`), or null. */
  remote: string | null;
  /** A restore recorded for the next start (the appliance is restarting). */
  pending: PendingRestore | null;
  /** What the last restore asked for from the panel did. */
  lastRestore: RestoreOutcome | null;
  /** The retention counts in force (`backup.keep*`). */
  retention: EffectiveSetting[];
}

const iso = (value: string) => formatTime(value ? new Date(value) : null);

function restoreNotice(options: BackupsPageOptions) {
  const { pending, lastRestore: last } = options;
  if (pending)
    return html`<p class="notice" data-restore-state="pending">Restore of backup <code>${pending.backupId}</code> (taken ${iso(pending.backupCreatedAt)}) is pending: the appliance is restarting to apply it.</p>`;
  if (!last) return "";
  return last.ok
    ? html`<p class="notice" data-restore-state="ok">Restored backup <code>${last.backupId}</code> (taken ${iso(last.backupCreatedAt)}) at ${iso(last.finishedAt)}${last.requestedBy ? `, asked for by ${last.requestedBy}` : ""}. The replaced database is kept at <code>${last.previous ?? "–"}</code>.</p>`
    : html`<p class="error" data-restore-state="failed">Restore of backup <code>${last.backupId}</code> FAILED at ${iso(last.finishedAt)}: ${last.error}. The appliance kept its current database.</p>`;
}

/** Recorded backups, newest first, "run now", restore and the retention counts. */
export function backupsBody(rows: BackupRow[], options: BackupsPageOptions) {
  return html`${restoreNotice(options)}
    <section aria-labelledby="run-heading">
      <h2 id="run-heading">Run a backup</h2>
      <p>Backups go to <code>${options.dir}</code>, ${options.encrypted ? "encrypted (AES-256-GCM)" : html`<strong>not encrypted</strong> (set <code>backup.keyFile</code>)`}. The appliance keeps serving while one runs.${options.remote ? html` Each is then copied to <code>${options.remote}</code> and verified there (the Offsite column).` : ""}</p>
      <button type="button" data-action="backup-now">Back up now</button>
    </section>
    <section aria-labelledby="list-heading">
      <h2 id="list-heading">Recorded backups</h2>
      <p>Restoring replaces the database with the backup: the appliance restarts, and everything changed after the backup was taken is lost (the current database is kept aside).</p>
      ${
        rows.length === 0
          ? html`<p>No backup yet.</p>`
          : html`<table>
        <thead><tr><th scope="col">Taken</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Size</th><th scope="col">Encrypted</th>${options.remote ? html`<th scope="col">Offsite</th>` : ""}<th scope="col">SHA-256 / error</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          ${rows.map(
            (b) => html`<tr data-backup="${b.id}">
              <th scope="row">${formatTime(b.createdAt)}</th>
              <td>${b.kind}</td>
              <td>${b.status}</td>
              <td>${formatBytes(b.sizeBytes)}</td>
              <td>${b.encrypted ? "yes" : "no"}</td>
              ${options.remote ? html`<td data-offsite="${b.remoteStatus ?? "none"}">${b.remoteStatus === "failed" ? html`failed: ${b.remoteError}` : (b.remoteStatus ?? "–")}</td>` : ""}
              <td>${b.status === "failed" ? b.error : html`<code class="hash">${b.sha256 ?? ""}</code>`}</td>
              <td class="actions">${
                b.status === "ok" && !options.pending
                  ? html`<button type="button" class="danger" data-action="backup-restore" data-id="${b.id}" data-taken="${formatTime(b.createdAt)}">Restore<span class="visually-hidden"> the backup taken ${formatTime(b.createdAt)}</span></button>`
                  : ""
              }</td>
            </tr>`,
          )}
        </tbody>
      </table>`
      }
    </section>
    <section aria-labelledby="retention-heading">
      <h2 id="retention-heading">Retention</h2>
      <p>After each scheduled backup, all but the newest of each kind are deleted. Manual backups are kept until deleted by hand.</p>
      ${runtimeSettingsForm(options.retention, "retention")}
    </section>`;
}
