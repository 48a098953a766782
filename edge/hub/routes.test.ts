import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

interface Operation {
  operationId?: string;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

describe("the sites admin API and the link routes in /openapi.json", () => {
  it("lists every operation with its request and response schemas", async () => {
    const res = await exports.default.fetch("http://edge/openapi.json");
    const doc = await res.json<{ paths: Record<string, Record<string, Operation>> }>();
    const operations = (method: string, path: string) => doc.paths[path]?.[method];
    const withBody: [string, string, string][] = [
      ["post", "/v1/admin/sites", "201"],
      ["post", "/v1/admin/sites/{site}/shares", "201"],
      ["post", "/v1/admin/sites/{site}/enrollment-codes", "201"],
      ["post", "/link/v1/enroll", "201"],
    ];
    for (const [method, path, status] of withBody) {
      const op = operations(method, path);
      expect(
        op?.requestBody?.content["application/json"]?.schema,
        `${method} ${path}`,
      ).toBeTruthy();
      expect(
        op?.responses[status]?.content?.["application/json"],
        `${method} ${path}`,
      ).toBeTruthy();
    }
    expect(operations("get", "/v1/admin/sites")?.responses["200"]?.content).toBeTruthy();
    expect(
      operations("delete", "/v1/admin/sites/{site}/appliances/{appliance}")?.responses["200"]
        ?.content,
    ).toBeTruthy();
    expect(operations("get", "/link/v1/connect")?.responses["101"]).toBeTruthy();
  });
});
