/**
 * What every admin-panel browser test needs: users made with the real CLI, a login through the
 * real form, and the per-page check (no serious axe finding, a screenshot).
 */
import { existsSync } from "node:fs";
import { expect } from "vitest";
import { runCli } from "./appliance.ts";
import type { BrowserSession } from "./browser.ts";

/** The password every panel test user gets. */
export const PANEL_PASSWORD = "correct-horse-battery";

/** Creates an appliance user with `textnlp-appliance users create` (role `admin` by default). */
export async function createPanelUser(dataDir: string, name: string, role = "admin") {
  const made = await runCli(
    ["users", "create", name, "--role", role, "--password-stdin", "--data-dir", dataDir],
    { input: `${PANEL_PASSWORD}\n` },
  );
  expect(made.code, made.stderr).toBe(0);
}

/** Logs `username` in through the login form and waits for the dashboard. */
export async function logInToPanel(browser: BrowserSession, url: string, username: string) {
  const { page } = browser;
  await page.goto(`${url}/panel/login`);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(PANEL_PASSWORD);
  await Promise.all([
    page.waitForURL(`${url}/panel/`),
    page.getByRole("button", { name: "Log in" }).click(),
  ]);
}

/** Every page is checked the same way: no serious or critical axe finding, and a screenshot. */
export async function checkPanelPage(browser: BrowserSession, name: string) {
  expect(await browser.seriousViolations(), `accessibility of ${name}`).toEqual([]);
  expect(existsSync(await browser.screenshot(name))).toBe(true);
}

/** The page's CSRF token (from its meta tag). */
export function panelCsrfToken(browser: BrowserSession): Promise<string> {
  return browser.page.locator('meta[name="csrf-token"]').getAttribute("content") as Promise<string>;
}
