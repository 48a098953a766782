// The admin panel's only script: plain ES module, no build, no CDN. Changes go through the
// appliance's JSON API with the session cookie and the page's CSRF token.

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content");
const flashBox = document.getElementById("flash");

/** Shows a message in the page's live region. */
function flash(message, isError = false) {
  if (!flashBox) return;
  flashBox.textContent = message;
  flashBox.classList.toggle("error", isError);
}

/** Calls the API; resolves to the JSON answer, rejects with the error envelope's message. */
async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(csrfToken ? { "X-CSRF-Token": csrfToken } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok)
    throw new Error(json?.error?.message ?? `${response.status} ${response.statusText}`);
  return json;
}

/** Runs an action with its button disabled; reloads the page when asked to show the result. */
async function act(button, work, { reload = true, done } = {}) {
  if (button) button.disabled = true;
  try {
    await work();
    if (done) flash(done);
    if (reload) location.reload();
  } catch (err) {
    flash(err.message, true);
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- actions (event delegation on data-action) ----
const actions = {
  "model-default": (b) =>
    act(b, () => api("POST", `/panel/api/models/${encodeURIComponent(b.dataset.name)}/default`)),
  "model-unload": (b) =>
    act(b, () => api("POST", `/panel/api/models/${encodeURIComponent(b.dataset.name)}/unload`)),
  "model-delete": (b) => {
    if (
      !confirm(
        `Delete the model ${b.dataset.name}? Its file is removed when the appliance imported it.`,
      )
    )
      return;
    return act(b, () => api("DELETE", `/panel/api/models/${encodeURIComponent(b.dataset.name)}`));
  },
  "backup-now": (b) => {
    flash("Backing up…");
    return act(b, () => api("POST", "/panel/api/backups"));
  },
  "job-pause": (b) =>
    act(b, () => api("POST", `/v1/jobs/${b.dataset.id}/pause`), { reload: false, done: "Paused." }),
  "job-resume": (b) =>
    act(b, () => api("POST", `/v1/jobs/${b.dataset.id}/resume`), { reload: true }),
  "job-cancel": (b) => {
    if (!confirm(`Cancel job ${b.dataset.id}?`)) return;
    return act(b, () => api("POST", `/v1/jobs/${b.dataset.id}/cancel`), {
      reload: false,
      done: "Cancelled.",
    });
  },
  "job-preview": (b) => jobPreview(b),
  "job-estimate": (b) => jobEstimate(b),
};
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  const action = button && actions[button.dataset.action];
  if (action) {
    event.preventDefault();
    action(button);
  }
});

// ---- models ----
document.getElementById("model-import")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { path: form.path.value.trim(), default: form.default.checked };
  if (form.name.value.trim()) body.name = form.name.value.trim();
  flash("Importing (copying and checksumming)…");
  act(form.querySelector("button[type=submit]"), () => api("POST", "/panel/api/models", body));
});

// ---- jobs ----
const jobForm = document.getElementById("job-create");
const previewBox = document.getElementById("job-preview");

/** The job the form describes, as `POST /v1/jobs` takes it. */
function jobFromForm() {
  let rows;
  try {
    rows = JSON.parse(jobForm.rows.value);
  } catch {
    throw new Error("Seed rows must be a JSON array of objects.");
  }
  if (!Array.isArray(rows)) throw new Error("Seed rows must be a JSON array of objects.");
  const job = {
    template: jobForm.template.value,
    model: jobForm.model.value,
    rows,
    samples_per_row: Number(jobForm.samples_per_row.value || 1),
    params: { max_tokens: Number(jobForm.max_tokens.value || 32) },
  };
  if (jobForm.seed.value !== "") job.seed = Number(jobForm.seed.value);
  return job;
}

function showPreview(title, text) {
  previewBox.replaceChildren();
  const heading = document.createElement("h3");
  heading.textContent = title;
  const pre = document.createElement("pre");
  pre.textContent = text;
  previewBox.append(heading, pre);
}

function jobPreview(button) {
  return act(
    button,
    async () => {
      const job = jobFromForm();
      const preview = await api(
        "POST",
        `/v1/templates/${encodeURIComponent(job.template)}/preview`,
        {
          rows: job.rows.slice(0, 5),
        },
      );
      showPreview(
        "Preview",
        preview.data
          .map(
            (p) =>
              `row ${p.row}${p.variant ? ` (${p.variant})` : ""}\n${p.messages.map((m) => `${m.role}: ${m.content}`).join("\n")}`,
          )
          .join("\n\n"),
      );
    },
    { reload: false },
  );
}

function jobEstimate(button) {
  return act(
    button,
    async () => {
      const e = await api("POST", "/v1/jobs/estimate", jobFromForm());
      showPreview(
        "Estimate",
        `${e.samples} samples on ${e.model}: ${e.prompt_tokens} prompt tokens${e.prompt_tokens_exact ? "" : " (estimated)"}, ` +
          `at most ${e.max_completion_tokens} completion tokens` +
          (e.max_seconds == null
            ? " (no throughput measured yet)"
            : `, at most ${Math.ceil(e.max_seconds)} s at ${e.tokens_per_second.toFixed(0)} tokens/s`),
      );
    },
    { reload: false },
  );
}

jobForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  act(jobForm.querySelector("button[type=submit]"), async () => {
    const job = await api("POST", "/v1/jobs", jobFromForm());
    sessionStorage.setItem("flash", `Job ${job.id} started.`);
  });
});

const TERMINAL = new Set(["done", "failed", "cancelled"]);

/** Keeps a job's row in step with its SSE stream until the job ends. */
function followJob(row) {
  const id = row.dataset.job;
  const source = new EventSource(`/v1/jobs/${encodeURIComponent(id)}/events`);
  source.onmessage = (message) => {
    const job = JSON.parse(message.data);
    const pct = job.total > 0 ? Math.floor((job.progress.done / job.total) * 100) : 0;
    row.dataset.status = job.status;
    row.querySelector('[data-cell="status"]').textContent = job.status;
    const bar = row.querySelector('[data-cell="bar"]');
    bar.max = job.total;
    bar.value = job.progress.done;
    bar.textContent = `${pct}%`;
    row.querySelector('[data-cell="progress"]').textContent =
      `${job.progress.done} / ${job.total} (${pct}%)`;
    row.querySelector('[data-cell="error"]').textContent =
      `${job.error ?? ""}${job.progress.failed > 0 ? ` ${job.progress.failed} failed` : ""}`;
    if (TERMINAL.has(job.status)) source.close();
  };
  source.onerror = () => {
    if (TERMINAL.has(row.dataset.status)) source.close();
  };
}
for (const row of document.querySelectorAll("tr[data-live]")) followJob(row);

// ---- dashboard ----
const dashboard = document.querySelector("[data-dashboard]");
const HISTORY = 150; // two-second samples: five minutes
const history = [];

/** Draws `values` as a polyline scaled to the chart's box; says the latest value beside it. */
function drawChart(id, values, unit) {
  const svg = document.querySelector(`[data-chart="${id}"]`);
  if (!svg) return;
  const max = Math.max(1e-9, ...values);
  const step = 300 / Math.max(1, HISTORY - 1);
  const offset = HISTORY - values.length;
  svg
    .querySelector("polyline")
    .setAttribute(
      "points",
      values
        .map((v, i) => `${((offset + i) * step).toFixed(1)},${(78 - (v / max) * 74).toFixed(1)}`)
        .join(" "),
    );
  const last = values.at(-1);
  document.querySelector(`[data-chart-now="${id}"]`).textContent =
    last === undefined ? "–" : `now ${last.toFixed(1)} ${unit} (max ${max.toFixed(1)})`;
}

function setFigure(key, value, shown) {
  const cell = document.querySelector(`[data-figure="${key}"]`);
  if (!cell) return;
  cell.dataset.value = value ?? "";
  if (typeof shown === "string") cell.textContent = shown;
  else shown(cell);
}

async function refreshDashboard() {
  const f = await api("GET", "/panel/api/dashboard");
  const prev = history.at(-1);
  history.push(f);
  if (history.length > HISTORY) history.shift();
  // Texts are formatted by the server; the script only places them.
  for (const [key, text] of Object.entries(f.texts)) setFigure(key, f.values[key], text);
  setFigure("loadedModels", f.loadedModels.map((m) => m.model).join(","), (list) => {
    list.replaceChildren(
      ...(f.loadedModels.length === 0 ? [{ model: null }] : f.loadedModels).map((m) => {
        const item = document.createElement("li");
        item.textContent = m.model
          ? `${m.model} (${m.sequences} sequences)`
          : "none (models load on first use)";
        return item;
      }),
    );
  });
  dashboard.dataset.refreshedAt = String(f.at);
  // Rates between consecutive samples; the first sample has no rate yet.
  const rates = history.slice(1).map((s, i) => {
    const before = history[i];
    const seconds = Math.max(1e-3, (s.at - before.at) / 1000);
    return {
      tokens: (s.tokensGeneratedTotal - before.tokensGeneratedTotal) / seconds,
      cpu: ((s.cpuSecondsTotal - before.cpuSecondsTotal) / seconds) * 100,
      // Mean latency of the requests finished between the two reads (0 when none finished).
      latency:
        s.requestCount > before.requestCount
          ? ((s.requestSecondsSum - before.requestSecondsSum) /
              (s.requestCount - before.requestCount)) *
            1000
          : 0,
    };
  });
  if (prev) {
    drawChart(
      "tokens-rate",
      rates.map((r) => r.tokens),
      "tokens/s",
    );
    drawChart(
      "latency",
      rates.map((r) => r.latency),
      "ms",
    );
    drawChart(
      "cpu",
      rates.map((r) => r.cpu),
      "%",
    );
  }
  drawChart(
    "memory",
    history.map((s) => s.residentMemoryBytes / 1048576),
    "MiB",
  );
  drawChart(
    "queue",
    history.map((s) => s.queueDepth),
    "waiting",
  );
}

if (dashboard) {
  const tick = () =>
    refreshDashboard().catch((err) => flash(`Could not refresh: ${err.message}`, true));
  tick();
  setInterval(tick, 2000);
}

const pending = sessionStorage.getItem("flash");
if (pending) {
  sessionStorage.removeItem("flash");
  flash(pending);
}

// ---- datasets / review ----
const validateForm = document.getElementById("dataset-validate");
validateForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  const metrics = [...validateForm.querySelectorAll('input[name="metrics"]:checked')].map(
    (input) => input.value,
  );
  if (metrics.length === 0) return flash("Choose at least one metric.", true);
  flash(`Validating (${metrics.join(", ")})…`);
  act(validateForm.querySelector("button[type=submit]"), async () => {
    const run = await api("POST", "/v1/validate", {
      dataset: validateForm.dataset.dataset,
      metrics,
    });
    sessionStorage.setItem("flash", `Validation run ${run.run} recorded (${run.count} samples).`);
  });
});

/** `name min max` per line, as the review assignment's rubric. */
function parseRubric(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [name, min, max, ...rest] = line.split(/\s+/);
      if (!name || rest.length > 0 || (min !== undefined && max === undefined))
        throw new Error(`Rubric line ${i + 1}: write "name min max", e.g. "fluency 1 5".`);
      return min === undefined ? { name } : { name, min: Number(min), max: Number(max) };
    });
}

const assignForm = document.getElementById("review-assign");
assignForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  const id = assignForm.dataset.dataset;
  act(assignForm.querySelector("button[type=submit]"), async () => {
    const reviewers = [...assignForm.querySelectorAll('input[name="reviewers"]:checked')].map(
      (input) => input.value,
    );
    if (reviewers.length === 0) throw new Error("Choose at least one reviewer.");
    const body = { reviewers };
    if (assignForm.reviewers_per_sample.value)
      body.reviewers_per_sample = Number(assignForm.reviewers_per_sample.value);
    const rubric = assignForm.rubric?.value.trim();
    if (rubric) body.rubric = parseRubric(rubric);
    const made = await api("POST", `/v1/datasets/${encodeURIComponent(id)}/review/assign`, body);
    sessionStorage.setItem(
      "flash",
      `Assigned ${made.created} new review tasks (${made.existing} already existed).`,
    );
  });
});

async function refreshReviewSummary(box) {
  const s = await api(
    "GET",
    `/v1/datasets/${encodeURIComponent(box.dataset.dataset)}/review/summary`,
  );
  const set = (key, text) => {
    box.querySelector(`[data-summary="${key}"]`).textContent = text;
  };
  set("pending", String(s.tasks.pending));
  set("done", String(s.tasks.done));
  set("decisions", `${s.decisions.accept} / ${s.decisions.reject} / ${s.decisions.edit}`);
  const a = s.agreement.decision;
  set(
    "agreement",
    a.kappa == null
      ? "– (needs samples seen by two reviewers)"
      : `${a.method === "cohen" ? "Cohen's" : "Fleiss'"} κ ${a.kappa.toFixed(3)} over ${a.items} samples`,
  );
}

/** The review queue: one sample at a time, verdicts by button or key. */
function reviewQueue(queue) {
  const dataset = queue.dataset.dataset;
  const reviewer = queue.dataset.reviewer;
  const tasks = [...queue.querySelectorAll("article[data-task]")];
  const progress = queue.querySelector('[data-cell="progress"]');
  const summary = document.getElementById("review-summary");
  let doneByMe = Number(progress.textContent.match(/(\d+) done/)?.[1] ?? 0);
  let current = -1;
  let criterion = 0;

  const ratings = (task) => [...task.querySelectorAll("fieldset.rating")];
  function highlight() {
    const task = tasks[current];
    if (!task) return;
    ratings(task).forEach((fieldset, i) => {
      fieldset.classList.toggle("active", i === criterion);
    });
  }
  function show(index) {
    current = index;
    criterion = 0;
    tasks.forEach((task, i) => {
      task.hidden = i !== index;
    });
    highlight();
  }
  function updateProgress() {
    const left = tasks.filter((t) => !t.dataset.decided).length;
    progress.textContent = `${left} to review, ${doneByMe} done by you.`;
  }
  /** The next sample without a verdict, after the current one (wrapping), or none. */
  function nextUndecided() {
    for (let step = 1; step <= tasks.length; step++) {
      const index = (current + step) % tasks.length;
      if (!tasks[index].dataset.decided) return index;
    }
    return -1;
  }
  function advance() {
    const index = nextUndecided();
    if (index >= 0) return show(index);
    show(-1);
    const empty = document.createElement("p");
    empty.dataset.cell = "empty";
    empty.textContent = "All done: nothing more is waiting for you in this dataset.";
    progress.after(empty);
  }
  const editBox = (task) => task.querySelector(".edit");
  function openEdit(task) {
    editBox(task).hidden = false;
    task.querySelector(".edit textarea").focus();
  }
  function closeEdit(task) {
    editBox(task).hidden = true;
    task.querySelector("[data-verdict='edit']").focus();
  }
  function rate(task, value) {
    const fieldsets = ratings(task);
    if (fieldsets.length === 0) return flash("This queue has no rubric to rate on.", true);
    const fieldset = fieldsets[criterion];
    const input = fieldset.querySelector(`input[value="${value}"]`);
    if (!input)
      return flash(`${fieldset.querySelector("legend").textContent}: out of range.`, true);
    input.checked = true;
    criterion = (criterion + 1) % fieldsets.length;
    highlight();
  }
  async function verdict(decision) {
    const task = tasks[current];
    if (!task || task.dataset.busy) return;
    const body = { reviewer, decision };
    const given = {};
    for (const fieldset of ratings(task)) {
      const checked = fieldset.querySelector("input:checked");
      if (checked) given[fieldset.dataset.criterion] = Number(checked.value);
    }
    if (Object.keys(given).length > 0) body.ratings = given;
    if (decision === "edit") body.edited_output = task.querySelector(".edit textarea").value;
    const comment = task.querySelector('[data-cell="comment"]').value.trim();
    if (comment) body.comment = comment;
    task.dataset.busy = "true";
    try {
      const saved = await api(
        "POST",
        `/v1/datasets/${encodeURIComponent(dataset)}/review/tasks/${encodeURIComponent(task.dataset.task)}`,
        body,
      );
      if (!task.dataset.decided) doneByMe++;
      task.dataset.decided = saved.decision;
      task.querySelector('[data-cell="verdict"]').textContent = `Saved: ${saved.decision}.`;
      flash(`Sample ${saved.row}.${saved.sample}: ${saved.decision}.`);
      updateProgress();
      advance();
      if (summary) await refreshReviewSummary(summary);
    } catch (err) {
      flash(err.message, true);
    } finally {
      delete task.dataset.busy;
    }
  }

  queue.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-verdict]");
    if (!button) return;
    const task = tasks[current];
    if (button.dataset.verdict === "edit" && task && editBox(task).hidden) return openEdit(task);
    verdict(button.dataset.verdict);
  });
  document.addEventListener("keydown", (event) => {
    const task = tasks[current];
    const typing = event.target.closest?.(
      "input:not([type=radio]):not([type=checkbox]), textarea, select",
    );
    if (typing) {
      if (!task?.contains(event.target)) return;
      if (event.target.tagName === "TEXTAREA" && event.key === "Enter" && event.ctrlKey) {
        event.preventDefault();
        verdict("edit");
      } else if (event.key === "Escape" && event.target.tagName === "TEXTAREA") closeEdit(task);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === "?") {
      const keys = document.getElementById("review-keys");
      keys.open = !keys.open;
    } else if (!task) return;
    else if (key === "a") verdict("accept");
    else if (key === "r") verdict("reject");
    else if (key === "e") openEdit(task);
    else if (key === "j") show(Math.min(tasks.length - 1, current + 1));
    else if (key === "k") show(Math.max(0, current - 1));
    else if (/^[1-9]$/.test(key)) rate(task, Number(key));
    else return;
    event.preventDefault();
  });
  if (tasks.length > 0) show(0);
  if (summary) refreshReviewSummary(summary).catch((err) => flash(err.message, true));
}
const reviewSection = document.getElementById("review-queue");
if (reviewSection) reviewQueue(reviewSection);

// ---- backups restore / settings ----

/** Waits for the restarted appliance (this page's origin) and reloads once it answers. */
function reloadWhenBack() {
  const poll = async () => {
    try {
      const response = await fetch("/panel/api/restore", { credentials: "same-origin" });
      const state = response.ok ? await response.json() : null;
      // Back (a 401 too: the restored database may predate this login), and no longer pending.
      if (response.status === 401 || (state && !state.pending)) return location.reload();
    } catch {
      // Down while it restarts.
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}

actions["backup-restore"] = (b) => {
  const question =
    `Restore the backup taken ${b.dataset.taken} (${b.dataset.id})?\n\n` +
    "The appliance restarts to apply it and is unavailable for a few seconds. Everything " +
    "changed after that backup (jobs, samples, templates, keys, users, settings) is lost; the " +
    "current database is kept aside.";
  if (!confirm(question)) return;
  return act(
    b,
    async () => {
      await api("POST", `/panel/api/backups/${encodeURIComponent(b.dataset.id)}/restore`);
      for (const button of document.querySelectorAll('[data-action="backup-restore"]'))
        button.disabled = true;
      reloadWhenBack();
    },
    {
      reload: false,
      done: `Restore of the backup taken ${b.dataset.taken} is pending: the appliance is restarting…`,
    },
  );
};

/** The fields changed in a settings form; an emptied field goes back to the configuration. */
function settingsChange(form) {
  const change = {};
  for (const input of form.querySelectorAll("input[name]")) {
    const text = input.value.trim();
    if (text === "") change[input.name] = null;
    else if (input.value !== input.defaultValue) {
      const number = Number(text);
      // Not a number: sent as typed, so the server's message names the field.
      change[input.name] = Number.isFinite(number) ? number : text;
    }
  }
  return change;
}

for (const form of document.querySelectorAll("form[data-settings-form]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const input of form.querySelectorAll("input[name]")) input.removeAttribute("aria-invalid");
    act(
      form.querySelector("button[type=submit]"),
      async () => {
        try {
          await api("PATCH", "/panel/api/settings", settingsChange(form));
        } catch (err) {
          // The message names the field ("Invalid settings: backup.keepHourly: …"): mark it.
          for (const input of form.querySelectorAll("input[name]"))
            if (err.message.includes(input.name)) input.setAttribute("aria-invalid", "true");
          form.querySelector('[aria-invalid="true"]')?.focus();
          throw err;
        }
        sessionStorage.setItem("flash", "Settings saved.");
      },
      { reload: true },
    );
  });
}

// ---- keys / users / audit ----
// API keys and users change through the same /v1/admin routes API clients use (session cookie
// and CSRF token instead of a key). The audit log page is a plain GET form: no script needed.

/** Reloads the page; `message` shows in its live region once it is back. */
function reloadWith(message) {
  sessionStorage.setItem("flash", message);
  location.reload();
}

const byId = (id) => encodeURIComponent(id);

// API keys: the secret is put in the box once, from the API's answer, and never stored.
const keyForm = document.getElementById("key-create");
const secretBox = document.getElementById("key-created");
const secretInput = document.getElementById("key-secret");

keyForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  const scopes = [...keyForm.querySelectorAll('input[name="scopes"]:checked')].map((i) => i.value);
  if (scopes.length === 0) {
    flash("Choose at least one scope.", true);
    return;
  }
  const body = { name: document.getElementById("key-name").value.trim(), scopes };
  const days = document.getElementById("key-expires").value;
  if (days) body.expires_in_days = Number(days);
  act(
    keyForm.querySelector("button[type=submit]"),
    async () => {
      const key = await api("POST", "/v1/admin/keys", body);
      keyForm.reset();
      secretInput.value = key.key;
      secretBox.hidden = false;
      flash(`Key ${key.name} created. Copy its secret now: it is shown only once.`);
      secretInput.focus();
      secretInput.select();
    },
    { reload: false },
  );
});

async function copySecret() {
  try {
    await navigator.clipboard.writeText(secretInput.value);
  } catch {
    // No clipboard API (plain http on another host): copy the selection instead.
    secretInput.select();
    document.execCommand("copy");
  }
  flash("Secret copied to the clipboard.");
}

/** Checks a form's two password fields; the passwords themselves are never shown. */
function typedPassword(form) {
  const password = form.querySelector('input[name="password"]').value;
  if (password !== form.querySelector('input[name="confirm"]').value)
    throw new Error("The two passwords differ.");
  return password;
}

/** Changes the user of button `b` through `/v1/admin/users/{id}<suffix>`, then reloads. */
function changeUser(b, method, suffix, said, body) {
  return act(
    b,
    async () => {
      const user = await api(method, `/v1/admin/users/${byId(b.dataset.id)}${suffix}`, body);
      reloadWith(said(user));
    },
    { reload: false },
  );
}

Object.assign(actions, {
  "key-revoke": (b) => {
    const open =
      "lastLive" in b.dataset
        ? " It is the last live key: on a loopback address the API then needs no key at all."
        : "";
    if (
      !confirm(`Revoke the key ${b.dataset.name}? Clients using it are refused from now on.${open}`)
    )
      return;
    return act(b, async () => {
      await api("DELETE", `/v1/admin/keys/${byId(b.dataset.id)}`);
      sessionStorage.setItem("flash", `Key ${b.dataset.name} revoked.`);
    });
  },
  "key-copy": () => copySecret(),
  "key-done": () => {
    secretInput.value = "";
    secretBox.hidden = true;
    location.reload();
  },
  "user-role": (b) =>
    changeUser(b, "PATCH", "", (u) => `${u.username} is now ${u.role}.`, {
      role: document.getElementById(`role-${b.dataset.id}`).value,
    }),
  "user-disable": (b) => changeUser(b, "POST", "/disable", (u) => `${u.username} is disabled.`),
  "user-enable": (b) => changeUser(b, "POST", "/enable", (u) => `${u.username} is enabled.`),
  "user-delete": (b) => {
    if (!confirm(`Delete the user ${b.dataset.name}?`)) return;
    return act(
      b,
      async () => {
        await api("DELETE", `/v1/admin/users/${byId(b.dataset.id)}`);
        reloadWith(`${b.dataset.name} deleted.`);
      },
      { reload: false },
    );
  },
});

const userForm = document.getElementById("user-create");
userForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  act(
    userForm.querySelector("button[type=submit]"),
    async () => {
      const body = {
        username: document.getElementById("new-username").value.trim(),
        role: document.getElementById("new-role").value,
        password: typedPassword(userForm),
      };
      const user = await api("POST", "/v1/admin/users", body);
      userForm.reset();
      reloadWith(`User ${user.username} (${user.role}) created.`);
    },
    { reload: false },
  );
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.user-password");
  if (!form) return;
  event.preventDefault();
  act(
    form.querySelector("button[type=submit]"),
    async () => {
      const user = await api("PUT", `/v1/admin/users/${byId(form.dataset.id)}/password`, {
        password: typedPassword(form),
      });
      form.reset();
      reloadWith(`Password of ${user.username} reset; their sessions ended.`);
    },
    { reload: false },
  );
});
