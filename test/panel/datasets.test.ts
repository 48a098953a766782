/**
 * The panel's Datasets pages in headless Chromium against a real appliance on the tiny model:
 * samples with their fates, filter reasons and scores as the API records them; histograms
 * that hold every sample; a validation run started from the page; an export download; and the
 * human review queue worked with the keyboard.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import {
  type ApplianceProcess,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { checkPanelPage, createPanelUser, logInToPanel } from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

const TOPICS = [
  "a cat found a hat",
  "Tom and Lily went to the park",
  "there was a big red ball",
  "a little girl named Sue",
];

interface ApiSample {
  row: number;
  sample: number;
  status: string;
  kept: boolean | null;
  output: string | null;
  decision: { type: string | null; reason: string | null; scores: Record<string, number> } | null;
}

requirement("browser").describe("datasets and review in the panel", () => {
  let app: ApplianceProcess;
  let browser: BrowserSession;
  let datasetId: string;
  let samples: ApiSample[];
  const dataDir = tempDataDir();

  const api = async (path: string, init?: { method?: string; body?: unknown }) => {
    const response = await fetch(`${app.url}${path}`, {
      method: init?.method ?? "GET",
      headers: init?.body === undefined ? {} : { "Content-Type": "application/json" },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return text.startsWith("{") ? JSON.parse(text) : text;
  };
  const checkPage = (name: string) => checkPanelPage(browser, name);

  beforeAll(async () => {
    await createPanelUser(dataDir, "admin");
    await createPanelUser(dataDir, "second");
    app = await startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_BACKUP_ENABLED: "false" },
    });
    await api("/v1/templates", {
      method: "POST",
      body: { name: "story", prompt: "Once upon a time, {{ topic }}" },
    });
    // Greedy and one at a time: the two samples of a row are the same text, so exact dedup
    // drops the second of each; the filter before it only records every sample's score.
    const job = await api("/v1/jobs", {
      method: "POST",
      body: {
        template: "story",
        model: "stories260K",
        rows: TOPICS.map((topic) => ({ topic })),
        samples_per_row: 2,
        concurrency: 1,
        params: { temperature: 0, max_tokens: 24 },
        steps: [
          { type: "filter", metric: { name: "flesch", min: -1e9 } },
          { type: "dedup", mode: "exact" },
        ],
      },
    });
    await vi.waitFor(
      async () => {
        const { status } = await api(`/v1/jobs/${job.id}`);
        if (status !== "done") throw new Error(`job ${job.id} is ${status}`);
      },
      { timeout: 120_000, interval: 250 },
    );
    datasetId = job.id;
    samples = (await api(`/v1/jobs/${job.id}/samples?limit=100`)).data;
    console.info(samples.map((s) => `${s.row}.${s.sample} ${s.kept} ${JSON.stringify(s.output)}`));
    browser = await openBrowser("panel");
    await logInToPanel(browser, app.url, "admin");
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    app?.cleanup();
  });

  it("lists the dataset and shows each sample's fate, filter reason and score as the API does", async () => {
    const { page } = browser;
    expect(samples).toHaveLength(2 * TOPICS.length);
    const dropped = samples.filter((s) => s.kept === false);
    expect(dropped.length).toBeGreaterThanOrEqual(TOPICS.length);
    // The review test needs three samples kept.
    expect(samples.length - dropped.length).toBeGreaterThanOrEqual(3);
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.waitForURL(`${app.url}/panel/datasets`);
    const listed = page.locator(`tr[data-dataset="${datasetId}"]`);
    await expect(listed.locator("td").nth(3).textContent()).resolves.toBe(
      String(samples.length - dropped.length),
    );
    await checkPage("datasets");

    await listed.getByRole("link", { name: `Browse ${datasetId}` }).click();
    await page.waitForURL(`${app.url}/panel/datasets/${datasetId}`);
    for (const s of samples) {
      const row = page.locator(`tr[data-sample="${s.row}.${s.sample}"]`);
      expect(await row.getAttribute("data-kept")).toBe(s.kept ? "kept" : "dropped");
      const reason = (await row.locator('[data-cell="reason"]').textContent()) ?? "";
      if (s.kept) expect(reason).toBe("");
      else expect(reason).toBe(`dedup: ${s.decision?.reason}`);
      const flesch = row.locator('[data-metric="flesch"]');
      expect(Number(await flesch.getAttribute("data-value"))).toBe(s.decision?.scores.flesch);
    }
    // The histogram holds every sample once.
    const histogram = page.locator('[data-histogram="flesch"]');
    expect(await histogram.getAttribute("data-count")).toBe(String(samples.length));
    const bins = await histogram
      .locator("rect")
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("data-count"))));
    expect(bins.reduce((a, b) => a + b, 0)).toBe(samples.length);

    await page.getByRole("link", { name: "Dropped", exact: true }).click();
    await page.waitForURL(/view=dropped/);
    await expect(page.locator("tr[data-sample]").count()).resolves.toBe(dropped.length);
    await expect(page.locator('tr[data-sample][data-kept="dropped"]').count()).resolves.toBe(
      dropped.length,
    );
  });

  it("runs a validation from the page and shows its figures per sample and as histograms", async () => {
    const { page } = browser;
    await page.getByLabel("readability").check();
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Run validation" }).click(),
    ]);
    await expect
      .poll(() => page.locator("#flash").textContent(), { timeout: 30_000 })
      .toMatch(/^Validation run val_[\w-]+ recorded \(\d+ samples\)\.$/);
    const runs = (await api(`/v1/datasets/${datasetId}/validations`)).data;
    expect(runs).toHaveLength(1);
    const run = await api(`/v1/datasets/${datasetId}/validations/${runs[0].id}`);
    const kept = samples.filter((s) => s.kept);
    expect(run.results).toHaveLength(kept.length);
    // Pick a numeric readability figure and compare it sample by sample.
    const [figure, value] = Object.entries(
      run.results[0].readability as Record<string, unknown>,
    ).find(([, v]) => typeof v === "number") as [string, number];
    expect(typeof value).toBe("number");
    await page.getByRole("link", { name: "All", exact: true }).click();
    for (const result of run.results) {
      const cell = page.locator(
        `tr[data-sample="${result.row}.${result.sample}"] [data-metric="readability.${figure}"]`,
      );
      expect(Number(await cell.getAttribute("data-value"))).toBe(result.readability[figure]);
    }
    const histogram = page.locator(`[data-histogram="readability.${figure}"]`);
    expect(await histogram.getAttribute("data-count")).toBe(String(kept.length));
    await checkPage("dataset");
  });

  it("downloads an export equal to the API's", async () => {
    const { page } = browser;
    await page.getByLabel("Format").selectOption("csv");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download" }).click(),
    ]);
    const file = readFileSync((await download.path()) as string, "utf8");
    expect(file).toBe(await api(`/v1/datasets/${datasetId}/export?format=csv&include=kept`));
    expect(file.trim().split("\n").length).toBeGreaterThan(1);
  });

  it("assigns reviewers and reviews samples with the keyboard", async () => {
    const { page } = browser;
    await page.goto(`${app.url}/panel/datasets/${datasetId}/review`);
    await page.getByText("Nothing is waiting for you in this dataset.").waitFor();
    // Nobody chosen: refused on the page, nothing assigned.
    await page.getByRole("button", { name: "Assign" }).click();
    await page.getByRole("status").filter({ hasText: "Choose at least one reviewer." }).waitFor();
    await page.getByLabel("admin").check();
    await page.getByLabel("second").check();
    await page.getByLabel(/^Rubric/).fill("fluency 1 5");
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Assign" }).click(),
    ]);
    const kept = samples.filter((s) => s.kept).length;
    await page
      .getByRole("status")
      .filter({ hasText: `Assigned ${2 * kept} new review tasks` })
      .waitFor();
    const progress = page.locator('[data-cell="progress"]');
    await expect(progress.textContent()).resolves.toBe(`${kept} to review, 0 done by you.`);
    await checkPage("review");

    const visible = page.locator("article[data-task]:visible");
    const taskIds: string[] = [];
    // Sample 1: rate 4 on the rubric, then accept.
    taskIds.push((await visible.getAttribute("data-task")) as string);
    await page.keyboard.press("4");
    await expect(visible.getByLabel("4").isChecked()).resolves.toBe(true);
    await page.keyboard.press("a");
    await expect.poll(() => visible.getAttribute("data-task")).not.toBe(taskIds[0]);
    // Sample 2: reject.
    taskIds.push((await visible.getAttribute("data-task")) as string);
    await page.keyboard.press("r");
    await expect.poll(() => visible.getAttribute("data-task")).not.toBe(taskIds[1]);
    // Sample 3: edit, type the correction, save with Ctrl+Enter.
    taskIds.push((await visible.getAttribute("data-task")) as string);
    await page.keyboard.press("e");
    const editor = page.locator(`#edit-${taskIds[2]}`);
    await expect(editor.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await editor.fill("A corrected story.");
    await page.keyboard.press("Control+Enter");
    // The rest are accepted one by one.
    let last = taskIds[2];
    for (let i = 3; i < kept; i++) {
      await expect.poll(() => visible.getAttribute("data-task")).not.toBe(last);
      last = (await visible.getAttribute("data-task")) as string;
      await page.keyboard.press("a");
    }
    await page.getByText("All done: nothing more is waiting for you in this dataset.").waitFor();
    await expect(progress.textContent()).resolves.toBe(`0 to review, ${kept} done by you.`);

    const mine = (await api(`/v1/datasets/${datasetId}/review/tasks?reviewer=admin`)).data as {
      id: string;
      decision: string;
      ratings: Record<string, number>;
      edited_output: string | null;
    }[];
    const byId = new Map(mine.map((t) => [t.id, t]));
    expect(byId.get(taskIds[0])).toMatchObject({ decision: "accept", ratings: { fluency: 4 } });
    expect(byId.get(taskIds[1])).toMatchObject({ decision: "reject", ratings: {} });
    expect(byId.get(taskIds[2])).toMatchObject({
      decision: "edit",
      edited_output: "A corrected story.",
    });
  });

  it("shows the queue's summary and agreement as the API computes them", async () => {
    const { page } = browser;
    // The second reviewer accepts everything, through the API.
    const theirs = (await api(`/v1/datasets/${datasetId}/review/tasks?reviewer=second`)).data;
    for (const task of theirs)
      await api(`/v1/datasets/${datasetId}/review/tasks/${task.id}`, {
        method: "POST",
        body: { reviewer: "second", decision: "accept" },
      });
    await page.reload();
    const summary = await api(`/v1/datasets/${datasetId}/review/summary`);
    const shown = (key: string) => page.locator(`[data-summary="${key}"]`);
    await shown("agreement").filter({ hasText: "κ" }).waitFor();
    await expect(shown("done").textContent()).resolves.toBe(String(summary.tasks.done));
    await expect(shown("pending").textContent()).resolves.toBe("0");
    await expect(shown("decisions").textContent()).resolves.toBe(
      `${summary.decisions.accept} / ${summary.decisions.reject} / ${summary.decisions.edit}`,
    );
    await expect(shown("agreement").textContent()).resolves.toContain(
      summary.agreement.decision.kappa.toFixed(3),
    );
    // "?" opens the list of keys.
    await page.keyboard.press("?");
    await expect(page.locator("#review-keys").getAttribute("open")).resolves.toBe("");
    await checkPage("review-summary");
  });

  it("never made a request that left loopback", () => {
    expect(browser.offLoopbackRequests()).toEqual([]);
  });
});
