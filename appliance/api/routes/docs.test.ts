import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { getAbsoluteFSPath } from "swagger-ui-dist";
import { describe, expect, it } from "vitest";
import { createApiApp } from "../../../shared/api/app.ts";
import type { ApplianceEnv } from "../types.ts";
import { mountDocsRoutes } from "./docs.ts";

describe("the appliance's docs routes", () => {
  it("serve the page, and Swagger UI's files byte for byte from its package", async () => {
    const app = createApiApp<ApplianceEnv>();
    mountDocsRoutes(app);
    expect(await (await app.request("/docs")).text()).toContain("/docs/assets/swagger-ui.css");
    const css = await app.request("/docs/assets/swagger-ui.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const onDisk = await readFile(join(getAbsoluteFSPath(), "swagger-ui.css"));
    expect(Buffer.from(await css.arrayBuffer()).equals(onDisk)).toBe(true);
    expect((await app.request("/docs/assets/index.html")).status).toBe(404);
    const spec = (await (await app.request("/openapi.json")).json()) as { info: { title: string } };
    expect(spec.info.title).toBe("TextNLP appliance API");
  });
});
