/**
 * The panel's administration pages in headless Chromium against a real appliance on the tiny
 * model: an API key made in the panel works with the official `openai` SDK until it is revoked
 * there; a user made in the panel logs in from another browser; the last active admin and the
 * admin's own account are protected; the audit log shows who did what (logins, failures and
 * the lockout too), and no secret appears in any page or in the audit_log table. axe-core and
 * a screenshot on every page.
 */
import Database from "better-sqlite3";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { databasePath } from "../../appliance/store/db.ts";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { checkPanelPage, createPanelUser, logInToPanel, PANEL_PASSWORD } from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

/** The password the panel resets second-admin's to. */
const RESET_PASSWORD = "a different long password";

requirement("browser").describe("admin pages of the panel", () => {
  let app: ApplianceProcess;
  let browser: BrowserSession;
  const dataDir = tempDataDir();
  /** The secret of the key made in the panel (shown there once). */
  let secret = "";

  const page = () => browser.page;
  /** Waits until the page's live region says `text`. */
  const flashSays = (text: string) =>
    page().waitForFunction(
      (t) => document.getElementById("flash")?.textContent?.includes(t) ?? false,
      text,
    );
  const sdk = () =>
    new OpenAI({ baseURL: `${app.url}/v1`, apiKey: secret, maxRetries: 0, timeout: 30_000 });
  /** The audit_log table as the appliance wrote it, oldest first. */
  const auditRows = () => {
    const db = new Database(databasePath(dataDir), { readonly: true });
    try {
      return db.prepare("SELECT * FROM audit_log ORDER BY created_at, rowid").all() as {
        action: string;
        actor_id: string;
        detail: string | null;
      }[];
    } finally {
      db.close();
    }
  };
  /** Everything the page holds: its HTML and the values of its inputs. */
  const pageText = async () =>
    (await page().content()) +
    (await page().$$eval("input, textarea", (els) =>
      els.map((e) => (e as HTMLInputElement).value).join("\n"),
    ));

  beforeAll(async () => {
    await createPanelUser(dataDir, "admin");
    // Another live key: with none at all, the API on loopback is open to any key (by design).
    const other = await runCli(["keys", "create", "--name", "ops", "--data-dir", dataDir]);
    expect(other.code, other.stderr).toBe(0);
    app = await startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_BACKUP_ENABLED: "false", TEXTNLP_PANEL_LOCKOUT_FAILURES: "3" },
    });
    browser = await openBrowser("panel-admin");
    await logInToPanel(browser, app.url, "admin");
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    app?.cleanup();
  });

  it("creates an API key whose secret, shown once, works with the openai SDK", async () => {
    await page().goto(`${app.url}/panel/keys`);
    await checkPanelPage(browser, "keys");
    await page().getByLabel("Name (what the key is for)").fill("sdk-test");
    await page().getByRole("button", { name: "Create key" }).click();
    const box = page().getByLabel("Secret of the new key");
    await box.waitFor();
    secret = await box.inputValue();
    expect(secret).toMatch(/^tnlp_[A-Za-z0-9_-]{40,}$/);
    await flashSays("shown only once");
    await checkPanelPage(browser, "keys-secret-once");
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: app.url,
    });
    await page().getByRole("button", { name: "Copy" }).click();
    await flashSays("Secret copied to the clipboard.");
    expect(await page().evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const models = await sdk().models.list();
    expect(models.data.map((m) => m.id)).toContain("stories260K");
    // With a key configured the API is no longer open: a wrong key is refused.
    const wrong = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: "tnlp_wrong", maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });

    await Promise.all([
      page().waitForEvent("load"),
      page().getByRole("button", { name: "Done: hide the secret" }).click(),
    ]);
    const row = page().locator("tr", { hasText: "sdk-test" });
    await expect(row.getAttribute("data-status")).resolves.toBe("live");
    const cells = await row.locator("td").allTextContents();
    expect(cells[0]).toBe(`${secret.slice(0, 11)}…`);
    expect(cells[1]).toBe("inference, models:read");
    expect(cells[3]).not.toBe("never"); // last used: the SDK's call
    expect(await pageText()).not.toContain(secret);
  });

  it("revokes the key only once the confirmation is accepted", async () => {
    page().once("dialog", (dialog) => dialog.dismiss());
    await page().getByRole("button", { name: "Revoke sdk-test" }).click();
    expect((await sdk().models.list()).data.length).toBeGreaterThan(0);

    page().once("dialog", (dialog) => dialog.accept());
    await Promise.all([
      page().waitForEvent("load"),
      page().getByRole("button", { name: "Revoke sdk-test" }).click(),
    ]);
    await flashSays("Key sdk-test revoked.");
    await expect(
      page().locator("tr", { hasText: "sdk-test" }).getAttribute("data-status"),
    ).resolves.toBe("revoked");
    const refused = await sdk()
      .models.list()
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(401);
  });

  it("creates a user who then logs in from another browser", async () => {
    await page().goto(`${app.url}/panel/users`);
    await checkPanelPage(browser, "users");
    await page().getByLabel("User name").fill("second-admin");
    await page().getByLabel("Role (only admins can log in to this panel)").selectOption("admin");
    await page().getByLabel("Password (at least 12 characters)").first().fill(PANEL_PASSWORD);
    await page().getByLabel("Password again").first().fill("not the same password");
    await page().getByRole("button", { name: "Create user" }).click();
    await flashSays("The two passwords differ.");
    await page().getByLabel("Password again").first().fill(PANEL_PASSWORD);
    await Promise.all([
      page().waitForEvent("load"),
      page().getByRole("button", { name: "Create user" }).click(),
    ]);
    await flashSays("User second-admin (admin) created.");
    const row = page().locator('tr[data-username="second-admin"]');
    await expect(row.getAttribute("data-status")).resolves.toBe("active");
    expect(await pageText()).not.toContain(PANEL_PASSWORD);

    const other = await openBrowser("panel-admin-second");
    try {
      await logInToPanel(other, app.url, "second-admin");
      await expect(other.page.locator(".logout span").textContent()).resolves.toBe("second-admin");
    } finally {
      await other.close();
    }
  });

  it("refuses to demote or disable the last active admin, or to lock yourself out", async () => {
    const act = async (button: string) =>
      Promise.all([
        page().waitForEvent("load"),
        page().getByRole("button", { name: button }).click(),
      ]);
    await act("Disable second-admin");
    await flashSays("second-admin is disabled.");

    // admin is now the only active admin.
    await page().getByLabel("Role of admin", { exact: true }).selectOption("viewer");
    await page().getByRole("button", { name: "Change role of admin", exact: true }).click();
    await flashSays("Cannot demote admin: this is the last active admin.");
    await page().getByRole("button", { name: "Disable admin", exact: true }).click();
    await flashSays("Cannot disable admin: this is the last active admin.");
    expect(await page().locator("#flash").getAttribute("class")).toContain("error");

    await act("Enable second-admin");
    await flashSays("second-admin is enabled.");
    await page().getByRole("button", { name: "Disable admin", exact: true }).click();
    await flashSays("You cannot disable your own account");
    page().once("dialog", (dialog) => dialog.accept());
    await page().getByRole("button", { name: "Delete admin", exact: true }).click();
    await flashSays("You cannot delete your own account");

    const reset = page().locator('tr[data-username="second-admin"]');
    await reset.getByText("Reset password").click();
    await reset.getByLabel("Password (at least 12 characters)").fill(RESET_PASSWORD);
    await reset.getByLabel("Password again").fill(RESET_PASSWORD);
    await Promise.all([
      page().waitForEvent("load"),
      reset.getByRole("button", { name: "Set password of second-admin" }).click(),
    ]);
    await flashSays("Password of second-admin reset");
    await expect(
      page().locator('tr[data-username="admin"]').getAttribute("data-status"),
    ).resolves.toBe("active");
    await checkPanelPage(browser, "users-refused");
  });

  it("lists those actions in the audit log with their actors, and no secret anywhere", async () => {
    await page().goto(`${app.url}/panel/audit`);
    await checkPanelPage(browser, "audit");
    const rows = page().locator("tr[data-audit]");
    const entries = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({
        action: tr.getAttribute("data-audit-action"),
        cells: [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""),
      })),
    );
    const byAction = (action: string) => entries.filter((e) => e.action === action);
    // Newest first: the password reset came last.
    expect(entries[0]?.action).toBe("user.password_reset");
    for (const action of ["api_key.revoke", "user.disable", "user.enable", "user.password_reset"])
      expect(
        byAction(action).map((e) => e.cells[1]),
        action,
      ).toEqual(["admin (user)"]);
    // The panel's key, and the one made with `textnlp-appliance keys create` before.
    expect(byAction("api_key.create").map((e) => e.cells[1])).toEqual([
      "admin (user)",
      expect.stringMatching(/^cli:/),
    ]);
    // The first admin came from the command line, the second from the panel.
    const created = byAction("user.create").map((e) => [e.cells[1], e.cells[4]]);
    expect(created).toHaveLength(2);
    expect(created[0]?.[0]).toBe("admin (user)");
    expect(created[0]?.[1]).toContain('"username":"second-admin"');
    expect(created[1]?.[0]).toMatch(/^cli:/);
    expect(byAction("panel.login").map((e) => e.cells[1])).toEqual([
      "second-admin (user)",
      "admin (user)",
    ]);

    await page().getByLabel("Action (user.create, or user.*)").fill("api_key.*");
    await Promise.all([
      page().waitForEvent("load"),
      page().getByRole("button", { name: "Filter" }).click(),
    ]);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.auditAction))).toEqual([
      "api_key.revoke",
      "api_key.create",
      "api_key.create",
    ]);
    await page().goto(`${app.url}/panel/audit?actor=second-admin`);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.auditAction))).toEqual([
      "panel.login",
    ]);
    await page().goto(`${app.url}/panel/audit?from=2000-01-01T00:00&to=2000-01-02T00:00`);
    expect(await rows.count()).toBe(0);

    // Paging: older entries follow on the next page, and "newest" goes back.
    const ids = () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.audit));
    await page().goto(`${app.url}/panel/audit`);
    const everything = await ids();
    await page().goto(`${app.url}/panel/audit?limit=4`);
    const first = await ids();
    await Promise.all([
      page().waitForEvent("load"),
      page().getByRole("link", { name: "Older entries" }).click(),
    ]);
    expect([...first, ...(await ids())]).toEqual(everything.slice(0, 8));
    await Promise.all([
      page().waitForEvent("load"),
      page().getByRole("link", { name: "Newest entries" }).click(),
    ]);
    expect(await ids()).toEqual(first);

    for (const text of [secret, PANEL_PASSWORD, RESET_PASSWORD]) {
      expect(await pageText()).not.toContain(text);
      await page().goto(`${app.url}/panel/audit`);
      expect(await pageText()).not.toContain(text);
    }
    const table = JSON.stringify(auditRows());
    expect(table).toContain("api_key.create");
    for (const text of [secret, PANEL_PASSWORD, RESET_PASSWORD]) expect(table).not.toContain(text);
    expect(browser.offLoopbackRequests()).toEqual([]);
  });

  it("records failed logins, the lockout once, and a logout", async () => {
    const tryLogin = (password: string) =>
      fetch(`${app.url}/panel/login`, {
        method: "POST",
        headers: { Origin: app.url },
        body: new URLSearchParams({ username: "second-admin", password }),
        redirect: "manual",
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await tryLogin(`wrong guess ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    await Promise.all([
      page().waitForURL(`${app.url}/panel/login`),
      page().getByRole("button", { name: "Log out" }).click(),
    ]);
    const rows = auditRows();
    const logins = rows
      .filter((row) => row.action.startsWith("panel."))
      .map((row) => [row.action, row.actor_id, JSON.parse(row.detail ?? "{}").username]);
    const admin = rows.find((row) => row.action === "panel.logout")?.actor_id;
    expect(admin).toMatch(/^usr_/);
    expect(logins.slice(-5)).toEqual([
      ["panel.login_failed", "panel-login", "second-admin"],
      ["panel.login_failed", "panel-login", "second-admin"],
      ["panel.login_failed", "panel-login", "second-admin"],
      ["panel.lockout", "panel-login", "second-admin"],
      ["panel.logout", admin, "admin"],
    ]);
    expect(JSON.stringify(rows)).not.toContain("wrong guess");
  });
});
