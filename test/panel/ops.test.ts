/**
 * The panel's operations pages in headless Chromium against a real appliance process on the
 * tiny model: the link to the edge on the dashboard beside `/metrics`, the Settings page (no
 * secret shown, a bad value refused), backup retention changed in the panel and applied by the
 * next scheduled backups, and restore from the Backups page — dismissed, accepted (the process
 * exits; the test restarts it as systemd would), and failing (the database is kept).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { checkPanelPage, createPanelUser, logInToPanel, panelCsrfToken } from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

const API_KEY = "sk-ops-test-0123456789abcdef-secret";
/** The exit status that makes systemd (Restart=on-failure) start the daemon again. */
const RESTART_EXIT_CODE = 75;

interface BackupJson {
  id: string;
  kind: string;
  status: string;
  file: string;
}

requirement("browser").describe("panel operations in a browser", () => {
  let app: ApplianceProcess;
  let browser: BrowserSession;
  const dataDir = tempDataDir();

  /** Starts the daemon on the shared data dir: scheduled backups every 2 s, an API key. */
  const start = () =>
    startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      env: {
        TEXTNLP_API_KEY: API_KEY,
        TEXTNLP_BACKUP_CRON: "*/2 * * * * *",
        TEXTNLP_LIFECYCLE_ENABLED: "false",
      },
    });
  const v1 = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${API_KEY}`,
        "Content-Type": "application/json",
        ...init.headers,
      },
    });
  const templateNames = async () =>
    ((await (await v1("/v1/templates")).json()).data as { name: string }[])
      .map((t) => t.name)
      .sort();
  const createTemplate = async (name: string) =>
    expect(
      (
        await v1("/v1/templates", {
          method: "POST",
          body: JSON.stringify({ name, prompt: "Once {{ x }}" }),
        })
      ).status,
    ).toBe(201);
  /** The panel's own JSON API with the page's cookie and CSRF token. */
  const panelApi = async (method: string, path: string, body?: unknown) => {
    const token = await panelCsrfToken(browser);
    return browser.page.evaluate(
      async ([m, p, b, t]) => {
        const r = await fetch(p as string, {
          method: m as string,
          headers: { "Content-Type": "application/json", "X-CSRF-Token": t as string },
          body: b === undefined ? undefined : JSON.stringify(b),
        });
        return { status: r.status, body: await r.json() };
      },
      [method, path, body, token] as const,
    );
  };
  const backups = async () =>
    (await (await browser.page.request.get(`${app.url}/panel/api/backups`)).json())
      .data as BackupJson[];
  const goTo = async (path: string) => {
    await browser.page.goto(`${app.url}${path}`);
    expect(new URL(browser.page.url()).pathname).toBe(path);
  };
  /** Waits for the daemon to exit by itself; resolves to its exit status. */
  const exited = (proc: ApplianceProcess["proc"]) =>
    proc.exitCode !== null
      ? Promise.resolve(proc.exitCode)
      : new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));

  /** Audit log entries of one action, oldest first (read beside the running daemon). */
  const audited = (action: string) => {
    const db = new Database(join(dataDir, "textnlp.sqlite"), { readonly: true });
    try {
      return (
        db
          .prepare(
            "SELECT actor_kind, target, detail FROM audit_log WHERE action = ? ORDER BY created_at",
          )
          .all(action) as { actor_kind: string; target: string; detail: string }[]
      ).map((row) => ({ ...row, detail: JSON.parse(row.detail) }));
    } finally {
      db.close();
    }
  };
  const restoreButton = (id: string) =>
    browser.page.locator(`tr[data-backup="${id}"]`).getByRole("button", { name: /^Restore/ });
  /** Accepts the confirmation of a restore; resolves to the daemon's exit status. */
  const confirmRestore = async (id: string) => {
    const exit = exited(app.proc);
    browser.page.once("dialog", (dialog) => dialog.accept());
    await restoreButton(id).click();
    return exit;
  };

  beforeAll(async () => {
    await createPanelUser(dataDir, "admin");
    app = await start();
    browser = await openBrowser("panel-ops");
    await logInToPanel(browser, app.url, "admin");
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    app?.cleanup();
  });

  it("shows the link to the edge as /metrics and `status` say: not enrolled", async () => {
    const { page } = browser;
    await goTo("/panel/");
    // A refresh by the page's script, so the figure shown is the live one.
    await page.waitForFunction(
      () => document.querySelector("[data-dashboard]")?.getAttribute("data-refreshed-at"),
      undefined,
      { timeout: 20_000 },
    );
    const metrics = await (await v1("/metrics")).text();
    const connected = Number(metrics.match(/^textnlp_link_connected (\S+)$/m)?.[1]);
    expect(connected).toBe(0);
    const figure = page.locator('[data-figure="link"]');
    expect(Number(await figure.getAttribute("data-value"))).toBe(connected);
    await expect(figure.textContent()).resolves.toBe("not enrolled (local only)");
    const status = await runCli(["status", "--json", "--data-dir", dataDir]);
    expect(JSON.parse(status.stdout).link.status).toBe("not enrolled");
    await checkPanelPage(browser, "dashboard-link");
  });

  it("shows the effective configuration on the Settings page, never a secret", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(`${app.url}/panel/settings`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Settings");
    const cell = (key: string) =>
      page.locator(`tr[data-config-key="${key}"] td`).first().textContent();
    await expect(cell("apiKey")).resolves.toBe("set");
    await expect(cell("backup.cron")).resolves.toBe("*/2 * * * * *");
    await expect(cell("dataDir")).resolves.toBe(dataDir);
    await expect(cell("backup.keyFile")).resolves.toBe("not set");
    expect(await page.content()).not.toContain(API_KEY);
    const hourly = page.locator('tr[data-setting="backup.keepHourly"]');
    await expect(hourly.getAttribute("data-source")).resolves.toBe("default");
    await expect(hourly.getByRole("spinbutton").inputValue()).resolves.toBe("48");
    await checkPanelPage(browser, "settings");
  });

  it("refuses a bad settings value, names the field, and changes nothing", async () => {
    const { page } = browser;
    const field = page.getByLabel("Hourly backups kept");
    await field.fill("-3");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.locator("#flash.error").filter({ hasText: "backup.keepHourly" }).waitFor();
    await expect(field.getAttribute("aria-invalid")).resolves.toBe("true");
    await checkPanelPage(browser, "settings-invalid");
    const settings = await panelApi("GET", "/panel/api/settings");
    expect(
      settings.body.data.find((s: { key: string }) => s.key === "backup.keepHourly"),
    ).toMatchObject({ value: 48, source: "default" });
    // Only whitelisted keys, only numbers.
    const host = await panelApi("PATCH", "/panel/api/settings", { host: "0.0.0.0" });
    expect(host.status).toBe(400);
    expect(host.body.error.message).toContain("host");
    const text = await panelApi("PATCH", "/panel/api/settings", { "backup.keepDaily": "3" });
    expect(text).toMatchObject({ status: 400, body: { error: { param: "backup.keepDaily" } } });
    expect((await panelApi("GET", "/panel/api/settings")).body).toEqual(settings.body);
  });

  it("prunes the next scheduled backups to the retention set in the panel", async () => {
    const { page } = browser;
    const okHourly = async () =>
      (await backups()).filter((b) => b.kind === "hourly" && b.status === "ok");
    await expect
      .poll(async () => (await okHourly()).length, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(3);
    await goTo("/panel/backups");
    const form = page.locator("#retention");
    await form.getByLabel("Hourly backups kept").fill("1");
    await Promise.all([
      page.waitForEvent("load"),
      form.getByRole("button", { name: "Save settings" }).click(),
    ]);
    const row = page.locator('#retention tr[data-setting="backup.keepHourly"]');
    await expect(row.getAttribute("data-source")).resolves.toBe("panel");
    await expect(row.locator('[data-cell="source"]').textContent()).resolves.toContain(
      "changed in the panel by admin",
    );
    // The next scheduled backup prunes the hourly ones down to one, files included.
    await expect.poll(async () => (await okHourly()).length, { timeout: 30_000 }).toBe(1);
    const pruned = (await backups()).filter((b) => b.status === "pruned");
    expect(pruned.length).toBeGreaterThanOrEqual(2);
    for (const b of pruned) expect(existsSync(b.file)).toBe(false);
    await page.reload();
    await checkPanelPage(browser, "backups-retention");
  });

  let backupA: BackupJson;

  it("restores nothing when the confirmation is dismissed", async () => {
    const { page } = browser;
    await createTemplate("before");
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Back up now" }).click(),
    ]);
    backupA = (await backups()).find((b) => b.kind === "manual") as BackupJson;
    expect(backupA.status).toBe("ok");
    await createTemplate("after");
    let question = "";
    page.once("dialog", (dialog) => {
      question = dialog.message();
      return dialog.dismiss();
    });
    await restoreButton(backupA.id).click();
    expect(question).toContain(backupA.id);
    expect(question).toMatch(/restarts/);
    expect(question).toMatch(/changed after that backup .* is lost/);
    expect((await panelApi("GET", "/panel/api/restore")).body.pending).toBeNull();
    expect(existsSync(join(dataDir, "restore-pending.json"))).toBe(false);
    expect(app.proc.exitCode).toBeNull();
    expect(await templateNames()).toEqual(["after", "before"]);
  });

  it("restores a backup after confirmation: the appliance restarts without the later change", async () => {
    const { page } = browser;
    const exit = confirmRestore(backupA.id);
    await page.getByRole("status").filter({ hasText: "is pending" }).waitFor();
    expect(await exit).toBe(RESTART_EXIT_CODE);
    // The test plays systemd: the same command, the same data dir.
    app = await start();
    expect(await templateNames()).toEqual(["before"]);
    await goTo("/panel/backups");
    const notice = page.locator('[data-restore-state="ok"]');
    await expect(notice.textContent()).resolves.toContain(`Restored backup ${backupA.id}`);
    await expect(notice.textContent()).resolves.toContain("asked for by admin");
    // The restored database predates backup A's own row: it is listed again from disk.
    await page.locator(`tr[data-backup="${backupA.id}"]`).waitFor();
    expect(existsSync(join(dataDir, "restore-pending.json"))).toBe(false);
    // Audited in the restored database (with the settings change it carried over).
    expect(audited("backup.restore")).toEqual([
      {
        actor_kind: "user",
        target: `backup:${backupA.id}`,
        detail: expect.objectContaining({ ok: true, error: null }),
      },
    ]);
    expect(audited("settings.change").map((e) => e.detail)).toEqual([{ "backup.keepHourly": 1 }]);
    await checkPanelPage(browser, "backups-restored");
  });

  it("keeps the current database when the restore fails, and says why", async () => {
    const { page } = browser;
    await createTemplate("kept");
    expect(await confirmRestore(backupA.id)).toBe(RESTART_EXIT_CODE);
    // The backup is damaged while the appliance is down.
    const bytes = readFileSync(backupA.file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0xff;
    writeFileSync(backupA.file, bytes);
    app = await start();
    expect(await templateNames()).toEqual(["before", "kept"]);
    await goTo("/panel/backups");
    const notice = page.locator('[data-restore-state="failed"]');
    await expect(notice.textContent()).resolves.toMatch(
      new RegExp(`Restore of backup ${backupA.id} FAILED .*corrupted.*kept its current database`),
    );
    expect(audited("backup.restore").map((e) => e.detail.ok)).toEqual([true, false]);
    await checkPanelPage(browser, "backups-restore-failed");
  });

  it("never made a request that left loopback", () => {
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(browser.offLoopbackRequests()).toEqual([]);
  });
});
