import { html } from "hono/html";
import type { EffectiveSetting } from "../../settings/runtime-settings.ts";
import { formatTime } from "./format.ts";

const SOURCE_TEXT = {
  default: "built-in default",
  config: "configuration (file, environment or flags)",
  panel: "changed in the panel",
} as const;

/** Where a value comes from, in words (with who changed it when the panel did). */
function sourceText(s: EffectiveSetting) {
  if (s.source !== "panel") return SOURCE_TEXT[s.source];
  return `${SOURCE_TEXT.panel}${s.updatedBy ? ` by ${s.updatedBy}` : ""} at ${formatTime(s.updatedAt)}; configuration says ${s.configValue}`;
}

/**
 * A form of runtime settings (the panel's script sends it to `PATCH /panel/api/settings`). The
 * server is the one judge of a value (`novalidate`), so its message, naming the field, is shown.
 * An empty field goes back to the configuration's value.
 */
export function runtimeSettingsForm(settings: EffectiveSetting[], id: string) {
  return html`<form id="${id}" class="card settings" data-settings-form novalidate>
    <table>
      <thead><tr><th scope="col">Setting</th><th scope="col">Value</th><th scope="col">In force from</th></tr></thead>
      <tbody>
        ${settings.map(
          (s) => html`<tr data-setting="${s.key}" data-source="${s.source}">
            <th scope="row"><label for="${id}-${s.key}">${s.label}</label><br /><code>${s.key}</code></th>
            <td><input id="${id}-${s.key}" name="${s.key}" type="number" min="0" step="1" inputmode="numeric" value="${s.value}" aria-describedby="${id}-${s.key}-source" /></td>
            <td id="${id}-${s.key}-source" data-cell="source">${sourceText(s)} (default ${s.defaultValue}; <code>${s.env}</code>)</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p class="hint">Changes apply to the next run, no restart needed. Empty a field to go back to the configuration's value.</p>
    <div class="buttons"><button type="submit">Save settings</button></div>
  </form>`;
}
