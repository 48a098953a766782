import { html } from "hono/html";
import type { ConfigViewRow } from "../../settings/config-view.ts";
import type { EffectiveSetting } from "../../settings/runtime-settings.ts";
import { runtimeSettingsForm } from "./settings-form.ts";

/**
 * The effective configuration: the runtime settings (changeable here) and, read-only, what
 * needs a restart (secrets only as "set" / "not set").
 */
export function settingsBody(runtime: EffectiveSetting[], restart: ConfigViewRow[]) {
  return html`<section aria-labelledby="runtime-heading">
      <h2 id="runtime-heading">Changeable now</h2>
      ${runtimeSettingsForm(runtime, "settings")}
    </section>
    <section aria-labelledby="restart-heading">
      <h2 id="restart-heading">Needs a restart</h2>
      <p>Set in <code>/etc/textnlp/textnlp.env</code> (or the configuration file, or flags), then restart the appliance. Secrets show only whether they are set.</p>
      <table data-config>
        <thead><tr><th scope="col">Setting</th><th scope="col">Value</th><th scope="col">Environment variable</th></tr></thead>
        <tbody>
          ${restart.map(
            (row) => html`<tr data-config-key="${row.key}">
              <th scope="row"><code>${row.key}</code></th>
              <td>${row.value}</td>
              <td>${row.env ? html`<code>${row.env}</code>` : "–"}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}
