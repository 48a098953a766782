import { html } from "hono/html";
import type { ModelRow, ModelSplit } from "../../../shared/db/schema/index.ts";
import { formatBytes } from "./format.ts";

/** Versions of each model (how many) and the splits between them, for the Version column. */
export interface VersionsView {
  count: (model: string) => number;
  splits: ModelSplit[];
}

/** `ab: @1 90%, @2 10%` for each split of a model. */
function splitsText(model: string, splits: ModelSplit[]): string[] {
  return splits
    .filter((s) => s.modelName === model)
    .map((s) => {
      const total = s.shares.reduce((sum, x) => sum + x.weight, 0);
      const parts = s.shares.map((x) => `@${x.version} ${Math.round((100 * x.weight) / total)}%`);
      return `${s.name}: ${parts.join(", ")}`;
    });
}

/** The model registry (what `textnlp-appliance models list` shows) with its actions. */
export function modelsBody(models: ModelRow[], loaded: Set<string>, versions: VersionsView) {
  return html`<section aria-labelledby="registry-heading">
      <h2 id="registry-heading">Registered models</h2>
      <table>
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Version</th><th scope="col">Architecture</th><th scope="col">Parameters</th><th scope="col">Context</th><th scope="col">Quantization</th><th scope="col">Size</th><th scope="col">SHA-256</th><th scope="col">State</th><th scope="col">Actions</th></tr>
        </thead>
        <tbody>
          ${models.map(
            (m) => html`<tr data-model="${m.name}">
              <th scope="row">${m.name}${m.isDefault ? html` <span class="badge">default</span>` : ""}</th>
              <td class="version">${m.currentVersion} of ${versions.count(m.name)}${splitsText(m.name, versions.splits).map((s) => html`<br /><small>split ${s}</small>`)}</td>
              <td>${m.architecture ?? "–"}</td>
              <td>${m.parameters ?? "–"}</td>
              <td>${m.contextLength ?? "–"}</td>
              <td>${m.quantization ?? "–"}</td>
              <td>${formatBytes(m.sizeBytes)}</td>
              <td><code class="hash">${m.sha256}</code></td>
              <td>${loaded.has(m.name) ? "loaded" : "on disk"}</td>
              <td class="actions">
                ${m.isDefault ? "" : html`<button type="button" data-action="model-default" data-name="${m.name}">Make default<span class="visually-hidden"> ${m.name}</span></button>`}
                ${loaded.has(m.name) ? html`<button type="button" data-action="model-unload" data-name="${m.name}">Unload<span class="visually-hidden"> ${m.name}</span></button>` : ""}
                <button type="button" class="danger" data-action="model-delete" data-name="${m.name}">Delete<span class="visually-hidden"> ${m.name}</span></button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import a model</h2>
      <form id="model-import" class="card">
        <label for="import-path">Path of a GGUF file on the appliance</label>
        <input id="import-path" name="path" required placeholder="/srv/models/model.gguf" />
        <label for="import-name">Name (default: the file's name)</label>
        <input id="import-name" name="name" />
        <div class="check"><input id="import-default" name="default" type="checkbox" /><label for="import-default">Make it the default model</label></div>
        <button type="submit">Import</button>
      </form>
    </section>`;
}
