/**
 * Headless Chromium for browser tests: Debian's `chromium` driven by playwright-core (the
 * browsers `npx playwright install` would download cannot be fetched here). Each session gets a
 * fresh profile, records every URL its pages request (so a test can prove nothing left
 * loopback), writes screenshots under `test-results/<suite>/` and runs axe-core inside a page.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { ROOT } from "./appliance.ts";

/** Debian's Chromium (a test prerequisite: `requirement("browser")`). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags that keep Chromium from calling home or needing a GPU or a sandbox (containers). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** One axe-core finding, as much of it as a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** A browser with one page, started by {@link openBrowser}. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Every URL requested by any page of the session, in order. */
  requests: string[];
  /** Where screenshots go (printed once when the session opens). */
  screenshotDir: string;
  /** Requests that went anywhere but loopback (data:, blob: and about: count as local). */
  offLoopbackRequests(): string[];
  /** Writes a full-page screenshot `<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Runs axe-core on the current page; returns the serious and critical violations. */
  seriousViolations(): Promise<AxeViolation[]>;
  /** Closes the browser and removes its profile. Safe to call twice. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** True for URLs served from this machine (or not fetched over the network at all). */
export function isLoopbackUrl(url: string): boolean {
  const parsed = new URL(url);
  if (["data:", "blob:", "about:"].includes(parsed.protocol)) return true;
  return LOCAL_HOSTS.has(parsed.hostname);
}

/**
 * Launches Chromium with a fresh profile. `suite` names the screenshot folder. The browser is
 * killed when the test process exits even if `close()` was never reached.
 */
export async function openBrowser(
  suite: string,
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), "textnlp-chromium-"));
  const screenshotDir = join(ROOT, "test-results", suite);
  mkdirSync(screenshotDir, { recursive: true });
  console.info(`screenshots: ${screenshotDir}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 800 },
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    timeout: 60_000,
  });
  const requests: string[] = [];
  context.on("request", (request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  process.once("exit", () => rmSync(profile, { recursive: true, force: true }));
  return {
    context,
    page,
    requests,
    screenshotDir,
    offLoopbackRequests: () => requests.filter((url) => !isLoopbackUrl(url)),
    async screenshot(name) {
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async seriousViolations() {
      // Injected by evaluation, not as a <script> tag: the panel's CSP forbids inline scripts.
      await page.evaluate(axeSource);
      const results = await page.evaluate(async () => {
        // biome-ignore lint/suspicious/noExplicitAny: axe is a global set by the injected source.
        const axe = (globalThis as any).axe;
        const run = await axe.run(document, { resultTypes: ["violations"] });
        return run.violations.map(
          (v: { id: string; impact: string | null; help: string; nodes: { html: string }[] }) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.html),
          }),
        );
      });
      return (results as AxeViolation[]).filter(
        (v) => v.impact === "serious" || v.impact === "critical",
      );
    },
    close,
  };
}
