/**
 * The admin panel in headless Chromium against a real appliance process on the tiny model:
 * login (wrong password, lockout), CSRF and cross-origin refusals, the dashboard beside
 * `/metrics`, a model import, a job watched to 100 %, a backup; axe-core on every page,
 * a screenshot of every page, and no request leaving loopback.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import {
  checkPanelPage,
  createPanelUser,
  PANEL_PASSWORD as PASSWORD,
  panelCsrfToken,
} from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

const LOCKOUT_FAILURES = 3;

/** Sums the samples of one metric in Prometheus text, optionally keeping those with a label. */
function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = line.match(/^([a-z_]+)(\{[^}]*\})? (\S+)$/);
    if (match?.[1] === name) total += Number(match[3]);
  }
  return total;
}
function metricLabels(text: string, name: string, label: string): string[] {
  const values: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = line.match(new RegExp(`${label}="([^"]*)"`))?.[1];
    if (value !== undefined) values.push(value);
  }
  return values.sort();
}

requirement("browser").describe("admin panel in a browser", () => {
  let app: ApplianceProcess;
  let browser: BrowserSession;
  const dataDir = tempDataDir();
  let attackerServer: Server;
  let attacker: string;

  const createUser = (name: string, role?: string) => createPanelUser(dataDir, name, role);
  const checkPage = (name: string) => checkPanelPage(browser, name);
  const csrfToken = () => panelCsrfToken(browser);

  beforeAll(async () => {
    await createUser("admin");
    await createUser("operator");
    await createUser("reader", "viewer");
    app = await startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      // No scheduled backup: the test decides when one is taken.
      env: {
        TEXTNLP_PANEL_LOCKOUT_FAILURES: String(LOCKOUT_FAILURES),
        TEXTNLP_BACKUP_ENABLED: "false",
      },
    });
    const template = await fetch(`${app.url}/v1/templates`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "story", prompt: "Once upon a time, {{ topic }}" }),
    });
    expect(template.status).toBe(201);
    browser = await openBrowser("panel");
    // Another origin's page that posts a form to the panel (no token: it cannot read one).
    attackerServer = createServer((_req, res) => {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(
        `<!doctype html><html lang="en"><title>elsewhere</title><form method="post" action="${app.url}/panel/api/backups"><input name="x" value="1"></form></html>`,
      );
    });
    await new Promise<void>((resolve) => attackerServer.listen(0, "127.0.0.1", resolve));
    attacker = `http://localhost:${(attackerServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => attackerServer?.close(resolve));
    await browser?.close();
    await app?.stop();
    app?.cleanup();
  });

  it("sends a visitor to the login page and refuses a wrong password", async () => {
    const { page } = browser;
    await page.goto(`${app.url}/panel/`);
    expect(new URL(page.url()).pathname).toBe("/panel/login");
    await checkPage("login");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("wrong password!");
    const [answer] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith("/panel/login") && r.request().method() === "POST",
      ),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    expect(answer.status()).toBe(401);
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "Wrong user name or password",
    );
    expect(await browser.context.cookies()).toEqual([]);
  });

  it(`locks a user name out after ${LOCKOUT_FAILURES} failures, even against the right password`, async () => {
    const login = (password: string) =>
      browser.page.request.post(`${app.url}/panel/login`, {
        form: { username: "operator", password },
        headers: { Origin: app.url },
        maxRedirects: 0,
      });
    for (let i = 0; i < LOCKOUT_FAILURES; i++)
      expect((await login("not the password")).status()).toBe(401);
    const locked = await login(PASSWORD);
    expect(locked.status()).toBe(429);
    expect(await locked.text()).toContain("Too many failed logins");
    expect(await browser.context.cookies()).toEqual([]);
  });

  it("refuses a user who is not an admin, whatever the password", async () => {
    const answer = await browser.page.request.post(`${app.url}/panel/login`, {
      form: { username: "reader", password: PASSWORD },
      headers: { Origin: app.url },
      maxRedirects: 0,
    });
    expect(answer.status()).toBe(401);
    expect(await browser.context.cookies()).toEqual([]);
  });

  it("logs an admin in with an HttpOnly, SameSite=Strict session cookie", async () => {
    const { page } = browser;
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${app.url}/panel/`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Dashboard");
    const [cookie] = await browser.context.cookies();
    expect(cookie).toMatchObject({ name: "textnlp_panel", httpOnly: true, sameSite: "Strict" });
  });

  it("refuses a change without the CSRF token, and from another origin even with it", async () => {
    const { page } = browser;
    const status = (url: string, headers: Record<string, string> = {}) =>
      page.evaluate(
        async ([u, h]) => {
          const r = await fetch(u as string, {
            method: "POST",
            headers: h as Record<string, string>,
          });
          return { status: r.status, code: (await r.json()).error?.code };
        },
        [url, headers] as const,
      );
    // From the panel's own page, same origin, session cookie sent, but no token.
    expect(await status("/panel/api/backups")).toEqual({ status: 403, code: "csrf_token_invalid" });
    expect(await status("/v1/jobs/estimate", { "Content-Type": "application/json" })).toEqual({
      status: 403,
      code: "csrf_token_invalid",
    });
    // A forged Origin with a valid cookie and token: refused for JSON and for a form.
    const token = await csrfToken();
    const crossJson = await page.request.post(`${app.url}/panel/api/backups`, {
      headers: { Origin: "http://evil.example", "X-CSRF-Token": token },
    });
    expect(crossJson.status()).toBe(403);
    expect((await crossJson.json()).error.code).toBe("cross_origin_request");
    const crossForm = await page.request.post(`${app.url}/panel/logout`, {
      form: { _csrf: token },
      headers: { Origin: "http://evil.example" },
      maxRedirects: 0,
    });
    expect(crossForm.status()).toBe(403);
    // A real cross-site form post from a page of another origin (localhost is another site).
    const crossSite = await browser.context.newPage();
    await crossSite.goto(`${attacker}/`);
    const [refused] = await Promise.all([
      crossSite.waitForResponse((r) => r.url() === `${app.url}/panel/api/backups`),
      crossSite.locator("form").evaluate((form: HTMLFormElement) => form.submit()),
    ]);
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe("cross_origin_request");
    await crossSite.close();
    const backups = await page.request.get(`${app.url}/panel/api/backups`);
    expect((await backups.json()).data).toEqual([]);
  });

  it("imports a model from a path on the appliance and shows its checksum", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Models" }).click();
    await page.waitForURL(`${app.url}/panel/models`);
    await checkPage("models-before-import");
    // A path that is not a GGUF is refused with a message saying why, and nothing is added.
    await page.getByLabel("Path of a GGUF file on the appliance").fill(`${dataDir}/no-such.gguf`);
    await page.getByRole("button", { name: "Import" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: /no such file/i })
      .waitFor();
    expect(await page.locator("tr[data-model]").count()).toBe(1);
    await page.getByLabel("Path of a GGUF file on the appliance").fill(TINY_RANDOM_MODEL);
    await page.getByLabel("Name (default: the file's name)").fill("tiny-llama");
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Import" }).click(),
    ]);
    const row = page.locator('tr[data-model="tiny-llama"]');
    await row.waitFor();
    const sha256 = createHash("sha256").update(readFileSync(TINY_RANDOM_MODEL)).digest("hex");
    await expect(row.locator("code.hash").textContent()).resolves.toBe(sha256);
    await expect(row.locator("td.version").textContent()).resolves.toBe("1 of 1");
    // A second version and a split between the two show in the same cell.
    const args = ["--data-dir", dataDir];
    expect(
      (await runCli(["models", "import", STORIES_MODEL, "--name", "tiny-llama", ...args])).code,
    ).toBe(0);
    const split = ["tiny-llama@1=1", "tiny-llama@2=3"];
    expect((await runCli(["models", "split", "tiny-llama", ...split, ...args])).code).toBe(0);
    await page.reload();
    await expect(row.locator("td.version").textContent()).resolves.toBe(
      "2 of 2split tiny-llama: @1 25%, @2 75%",
    );
    const listed = await runCli(["models", "list", "--json", "--data-dir", dataDir]);
    expect(JSON.parse(listed.stdout).map((m: { name: string }) => m.name)).toContain("tiny-llama");
    await checkPage("models");
  });

  it("makes a model the default, then deletes it (after a confirmation)", async () => {
    const { page } = browser;
    const models = async () =>
      JSON.parse((await runCli(["models", "list", "--json", "--data-dir", dataDir])).stdout) as {
        name: string;
        default: string;
      }[];
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Make default tiny-llama" }).click(),
    ]);
    await page.locator('tr[data-model="tiny-llama"] .badge', { hasText: "default" }).waitFor();
    expect((await models()).find((m) => m.default === "*")?.name).toBe("tiny-llama");
    // Dismissing the confirmation keeps the model.
    page.once("dialog", (dialog) => dialog.dismiss());
    await page.getByRole("button", { name: "Delete tiny-llama" }).click();
    expect((await models()).map((m) => m.name)).toContain("tiny-llama");
    page.once("dialog", (dialog) => dialog.accept());
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Delete tiny-llama" }).click(),
    ]);
    expect(await page.locator('tr[data-model="tiny-llama"]').count()).toBe(0);
    expect((await models()).map((m) => m.name)).toEqual(["stories260K"]);
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Make default stories260K" }).click(),
    ]);
  });

  it("previews, estimates and starts a job, and watches it reach 100 % over SSE", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Jobs" }).click();
    await page.waitForURL(`${app.url}/panel/jobs`);
    await page.getByLabel("Model").selectOption("stories260K");
    await page
      .getByLabel("Seed rows (a JSON array of objects, one per row)")
      .fill(JSON.stringify([{ topic: "a cat found a hat" }, { topic: "a dog ran home" }]));
    await page.getByLabel("Samples per row").fill("2");
    await page.getByLabel("Max tokens per sample").fill("16");
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page.locator("#job-preview pre").textContent()).resolves.toContain(
      "Once upon a time, a cat found a hat",
    );
    await page.getByRole("button", { name: "Estimate" }).click();
    await page.locator("#job-preview h3", { hasText: "Estimate" }).waitFor();
    await expect(page.locator("#job-preview pre").textContent()).resolves.toMatch(
      /^4 samples on stories260K: \d+ prompt tokens.*at most 64 completion tokens/,
    );
    await checkPage("jobs-new");
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Start job" }).click(),
    ]);
    const row = page.locator("tr[data-job]").first();
    await expect(row.getAttribute("data-live")).resolves.toBe("");
    await row
      .locator('[data-cell="progress"]', { hasText: "4 / 4 (100%)" })
      .waitFor({ timeout: 120_000 });
    await row.locator('[data-cell="status"]', { hasText: "done" }).waitFor();
    const id = (await row.getAttribute("data-job")) as string;
    const job = await (await fetch(`${app.url}/v1/jobs/${id}`)).json();
    expect(job).toMatchObject({ status: "done", total: 4, progress: { done: 4 } });
    await checkPage("jobs");
  });

  it("pauses, resumes and cancels a running job from its row", async () => {
    const { page } = browser;
    await page.getByLabel("Model").selectOption("stories260K");
    await page
      .getByLabel("Seed rows (a JSON array of objects, one per row)")
      .fill(JSON.stringify([{ topic: "a long day" }]));
    await page.getByLabel("Samples per row").fill("400");
    await page.getByLabel("Max tokens per sample").fill("48");
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Start job" }).click(),
    ]);
    const row = page.locator('tr[data-job][data-live]:not([data-status="done"])').first();
    const id = (await row.getAttribute("data-job")) as string;
    const status = row.locator('[data-cell="status"]');
    const apiStatus = async () => (await (await fetch(`${app.url}/v1/jobs/${id}`)).json()).status;

    await row.getByRole("button", { name: `Pause ${id}` }).click();
    await status.filter({ hasText: "paused" }).waitFor();
    expect(await apiStatus()).toBe("paused");

    await Promise.all([
      page.waitForEvent("load"),
      row.getByRole("button", { name: `Resume ${id}` }).click(),
    ]);
    const resumed = page.locator(`tr[data-job="${id}"]`);
    await resumed.locator('[data-cell="status"]', { hasText: /queued|running/ }).waitFor();

    page.once("dialog", (dialog) => dialog.accept());
    await resumed.getByRole("button", { name: `Cancel ${id}` }).click();
    await resumed.locator('[data-cell="status"]', { hasText: "cancelled" }).waitFor();
    const job = await (await fetch(`${app.url}/v1/jobs/${id}`)).json();
    expect(job.status).toBe("cancelled");
    expect(job.progress.done).toBeLessThan(job.total);
  });

  it("shows live dashboard figures equal to what /metrics says", async () => {
    const { page } = browser;
    // Let the cancelled job's last generations end, so the figures hold still.
    await expect
      .poll(
        async () =>
          metricSum(await (await fetch(`${app.url}/metrics`)).text(), "textnlp_active_sequences"),
        { timeout: 30_000 },
      )
      .toBe(0);
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(`${app.url}/panel/`);
    // Two refreshes by the page's script: the rate charts need two samples.
    await page.waitForFunction(
      () => document.querySelector('[data-chart="tokens-rate"] polyline')?.getAttribute("points"),
      undefined,
      { timeout: 20_000 },
    );
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const shown = (key: string) =>
      page.locator(`[data-figure="${key}"]`).getAttribute("data-value") as Promise<string>;
    const tokens = metricSum(metrics, "textnlp_tokens_generated_total");
    expect(tokens).toBeGreaterThan(0);
    expect(Number(await shown("tokensGeneratedTotal"))).toBe(tokens);
    expect(Number(await shown("queueDepth"))).toBe(metricSum(metrics, "textnlp_queue_depth"));
    expect(Number(await shown("activeSequences"))).toBe(
      metricSum(metrics, "textnlp_active_sequences"),
    );
    expect((await shown("loadedModels")).split(",").sort()).toEqual(
      metricLabels(metrics, "textnlp_sequences", "model"),
    );
    await checkPage("dashboard");
  });

  it("runs a backup now and lists it", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Backups" }).click();
    await page.waitForURL(`${app.url}/panel/backups`);
    await checkPage("backups-empty");
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Back up now" }).click(),
    ]);
    const row = page.locator("tr[data-backup]");
    await row.waitFor();
    await expect(row.locator("td").nth(1).textContent()).resolves.toBe("ok");
    const listed = await runCli(["backup", "list", "--json", "--data-dir", dataDir]);
    const [backup] = JSON.parse(listed.stdout);
    expect(backup).toMatchObject({ kind: "manual", status: "ok" });
    expect(await row.getAttribute("data-backup")).toBe(backup.id);
    expect(existsSync(backup.file)).toBe(true);
    await checkPage("backups");
  });

  it("logs out, after which the panel asks for a login again", async () => {
    const { page } = browser;
    await Promise.all([
      page.waitForURL(`${app.url}/panel/login`),
      page.getByRole("button", { name: "Log out" }).click(),
    ]);
    await page.goto(`${app.url}/panel/models`);
    expect(new URL(page.url()).pathname).toBe("/panel/login");
    const api = await page.request.get(`${app.url}/panel/api/dashboard`);
    expect(api.status()).toBe(401);
  });

  it("never made a request that left loopback", () => {
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(browser.offLoopbackRequests()).toEqual([]);
  });
});
