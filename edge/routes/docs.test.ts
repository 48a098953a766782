/**
 * The docs in workerd: `/docs` and every file it references come from the Worker itself (the
 * Swagger UI files are bundled as text modules), and nothing points at another host.
 */
import { describe, expect, it } from "vitest";
import { startGateway } from "../test/gateway.ts";

describe("GET /docs on the edge", () => {
  it("serves the page and its Swagger UI assets from the bundle, no external host", async () => {
    const { callRaw } = startGateway();
    const page = await callRaw("http://edge/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs).toEqual([
      "/docs/assets/swagger-ui.css",
      "/docs/assets/swagger-ui-bundle.js",
      "/docs/assets/init.js",
    ]);
    const bodies: Record<string, string> = {};
    for (const ref of refs) {
      const asset = await callRaw(`http://edge${ref}`);
      expect(asset.status, ref).toBe(200);
      bodies[ref] = await asset.text();
    }
    expect(bodies["/docs/assets/swagger-ui.css"]).toContain(".swagger-ui");
    // The real bundle (over a megabyte), defining the global the init script calls.
    expect(bodies["/docs/assets/swagger-ui-bundle.js"]?.length).toBeGreaterThan(1_000_000);
    expect(bodies["/docs/assets/swagger-ui-bundle.js"]).toContain("SwaggerUIBundle");
    expect(bodies["/docs/assets/init.js"]).toContain('url: document.getElementById("swagger-ui")');

    const spec = await callRaw("http://edge/openapi.json");
    expect(((await spec.json()) as { info: { title: string } }).info.title).toBe(
      "TextNLP edge API",
    );
    expect((await callRaw("http://edge/docs/assets/package.json")).status).toBe(404);
  });
});
