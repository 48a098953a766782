/**
 * The dashboard's link figure for an enrolled appliance connected to a real edge (the bundled
 * edge in Miniflare), then cut off from it: what the page shows must be what the appliance's
 * `/metrics` and `textnlp-appliance status` say.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { type EdgeWorker, startEdgeWorker } from "../helpers/edge.ts";
import { checkPanelPage, createPanelUser, logInToPanel } from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

requirement("browser").describe("the dashboard's link to a real edge", () => {
  let edge: EdgeWorker;
  let edgeRunning = false;
  let app: ApplianceProcess;
  let browser: BrowserSession;
  const dataDir = tempDataDir();

  const linkConnected = async () =>
    Number(
      (await (await fetch(`${app.url}/metrics`)).text()).match(
        /^textnlp_link_connected (\S+)$/m,
      )?.[1],
    );
  const cliStatus = async () =>
    JSON.parse((await runCli(["status", "--json", "--data-dir", dataDir])).stdout).link.status;
  const figure = () => browser.page.locator('[data-figure="link"]');

  beforeAll(async () => {
    edge = await startEdgeWorker({ LINK_HEARTBEAT_MS: "500" });
    edgeRunning = true;
    const secret = await edge.seedApiKey();
    const edgeAdmin = (path: string, body: unknown) =>
      fetch(`${edge.url}/v1/admin${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await edgeAdmin("/sites", { id: "lab" })).status).toBe(201);
    const { code } = await (await edgeAdmin("/sites/lab/enrollment-codes", {})).json();
    const enrolled = await runCli(["enroll", edge.url, code, "--data-dir", dataDir]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    await createPanelUser(dataDir, "admin");
    app = await startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      env: {
        TEXTNLP_BACKUP_ENABLED: "false",
        TEXTNLP_LINK_BACKOFF_BASE_MS: "500",
        TEXTNLP_LINK_BACKOFF_MAX_MS: "2000",
      },
    });
    browser = await openBrowser("panel-ops-link");
    await logInToPanel(browser, app.url, "admin");
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    app?.cleanup();
    if (edgeRunning) await edge.dispose();
  });

  it("shows connected (edge, site, since, last heartbeat) while /metrics says 1", async () => {
    await figure()
      .filter({ hasText: /last heartbeat/ })
      .waitFor({ timeout: 30_000 });
    const text = (await figure().textContent()) as string;
    expect(text).toMatch(
      new RegExp(
        `^connected to ${edge.url} \\(site lab\\) since \\d{4}-\\d\\d-\\d\\d .*UTC, last heartbeat`,
      ),
    );
    expect(await linkConnected()).toBe(1);
    expect(Number(await figure().getAttribute("data-value"))).toBe(1);
    expect(await cliStatus()).toBe("connected");
    await checkPanelPage(browser, "dashboard-link-connected");
  });

  it("shows disconnected with the last error and the next try once the edge is gone", async () => {
    edgeRunning = false;
    await edge.dispose();
    await figure()
      .filter({ hasText: /^disconnected from / })
      .waitFor({ timeout: 30_000 });
    await expect(figure().textContent()).resolves.toMatch(/: .+; next try /);
    await expect.poll(linkConnected, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => figure().getAttribute("data-value")).toBe("0");
    expect(["waiting", "connecting"]).toContain(await cliStatus());
    await checkPanelPage(browser, "dashboard-link-disconnected");
  });
});
