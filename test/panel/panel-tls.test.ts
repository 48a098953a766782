/**
 * The panel over TLS: the session cookie is `Secure` (and `__Host-` prefixed), and the origin
 * check knows the page's https origin, so the panel's own changes pass.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { requirement } from "../helpers/requirement.ts";
import { selfSignedCertificate } from "../helpers/tls.ts";

requirement("browser").describe("admin panel over TLS", () => {
  let app: ApplianceProcess;
  let browser: BrowserSession;
  const tls = selfSignedCertificate();

  beforeAll(async () => {
    const dataDir = tempDataDir();
    const made = await runCli(
      ["users", "create", "admin", "--admin", "--password-stdin", "--data-dir", dataDir],
      { input: "correct-horse-battery\n" },
    );
    expect(made.code, made.stderr).toBe(0);
    app = await startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      env: {
        TEXTNLP_TLS_CERT: tls.cert,
        TEXTNLP_TLS_KEY: tls.key,
        TEXTNLP_BACKUP_ENABLED: "false",
        // With an API key the API is closed: the panel's calls must pass as its session.
        TEXTNLP_API_KEY: "tls-test-key-0123456789",
      },
    });
    browser = await openBrowser("panel-tls", { ignoreHTTPSErrors: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    app?.cleanup();
    rmSync(tls.dir, { recursive: true, force: true });
  });

  it("sets a Secure __Host- cookie and accepts the panel's own changes", async () => {
    const { page } = browser;
    expect(app.url).toMatch(/^https:/);
    await page.goto(`${app.url}/panel/login`);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("correct-horse-battery");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${app.url}/panel/`);
    const [cookie] = await browser.context.cookies();
    expect(cookie).toMatchObject({
      name: "__Host-textnlp_panel",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
    });
    const viaSession = await page.evaluate(async () => {
      const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content");
      const list = await fetch("/v1/jobs");
      const models = await fetch("/v1/models");
      const noToken = await fetch("/v1/jobs/estimate", { method: "POST" });
      const withToken = await fetch("/v1/jobs/estimate", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token ?? "" },
        body: JSON.stringify({ template: "none", model: "stories260K", row_count: 1 }),
      });
      return [list.status, models.status, noToken.status, withToken.status];
    });
    // Listing works, a change without the token is refused, with it the request is judged on
    // its merits (no such template: 404), never as unauthenticated.
    expect(viaSession).toEqual([200, 200, 403, 404]);
    const anonymous = await page.request.get(`${app.url}/v1/jobs`, {
      headers: { Cookie: "" },
    });
    expect(anonymous.status()).toBe(401);
    await page.getByRole("link", { name: "Backups" }).click();
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Back up now" }).click(),
    ]);
    await expect(page.locator("tr[data-backup] td").nth(1).textContent()).resolves.toBe("ok");
    expect(browser.offLoopbackRequests()).toEqual([]);
  });
});
