import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type BrowserSession, isLoopbackUrl, openBrowser } from "../helpers/browser.ts";
import { requirement } from "../helpers/requirement.ts";

/** The browser helper itself, on a loopback page with one accessible and one broken variant. */
requirement("browser").describe("browser helper", () => {
  let server: Server;
  let base: string;
  let browser: BrowserSession;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      if (req.url === "/broken")
        // An image without alternative text, and a button without a name: axe says critical.
        res.end('<!doctype html><html><body><img src="/pixel"><button></button></body></html>');
      else
        res.end(
          '<!doctype html><html lang="en"><head><title>ok</title></head><body><main><h1>Hello</h1></main></body></html>',
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser("browser-helper");
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("records requests, screenshots pages and finds serious accessibility violations", async () => {
    await browser.page.goto(`${base}/`);
    expect(await browser.seriousViolations()).toEqual([]);
    await browser.page.goto(`${base}/broken`);
    const ids = (await browser.seriousViolations()).map((v) => v.id);
    expect(ids).toContain("image-alt");
    expect(ids).toContain("button-name");
    expect(browser.requests).toContain(`${base}/`);
    expect(browser.requests).toContain(`${base}/pixel`);
    expect(browser.offLoopbackRequests()).toEqual([]);
    expect(existsSync(await browser.screenshot("broken"))).toBe(true);
  });

  it("tells loopback from the outside world", () => {
    expect(isLoopbackUrl("http://127.0.0.1:9/x")).toBe(true);
    expect(isLoopbackUrl("data:text/plain,hi")).toBe(true);
    expect(isLoopbackUrl("https://cdn.example.com/x.js")).toBe(false);
  });
});
