/**
 * The panel over TLS: the session cookie is `Secure` (and `__Host-` prefixed), and the origin
 * check knows the page's https origin, so the panel's own changes pass.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  modelsMissing,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, chromiumMissing, openBrowser } from "../helpers/browser.ts";
import { selfSignedCertificate } from "../helpers/tls.ts";

describe.skipIf(modelsMissing || chromiumMissing)("admin panel over TLS", () => {
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
    await page.getByRole("link", { name: "Backups" }).click();
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Back up now" }).click(),
    ]);
    await expect(page.locator("tr[data-backup] td").nth(1).textContent()).resolves.toBe("ok");
    expect(browser.offLoopbackRequests()).toEqual([]);
  });
});
