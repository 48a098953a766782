/**
 * Seed uploads on the edge have a limit of their own (SEED_UPLOAD_LIMIT_BYTES), past the
 * general body limit, checked while the body streams in.
 */
import { describe, expect, it } from "vitest";
import { startGateway } from "../test/gateway.ts";

// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON answers
type Json = any;

describe("seed-row uploads on the edge", () => {
  const { call } = startGateway({
    bindings: { BODY_LIMIT_BYTES: "2048", SEED_UPLOAD_LIMIT_BYTES: "8192" },
  });
  const upload = (rows: number) =>
    call("http://edge/v1/seed-rows?name=people", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: Array.from({ length: rows }, (_, i) => JSON.stringify({ who: `person ${i}` })).join(
        "\n",
      ),
    });

  it("takes an upload past the general body limit, under its own", async () => {
    const res = await upload(150); // about 3.5 KB
    expect(res.status).toBe(201);
    expect(((await res.json()) as Json).rows).toBe(150);
  });

  it("refuses one past its own limit with 413", async () => {
    const res = await upload(600); // about 14 KB
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).error.code).toBe("body_too_large");
  });

  it("keeps the general limit on every other route", async () => {
    const res = await call("http://edge/v1/templates", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "big", prompt: "x".repeat(4000) }),
    });
    expect(res.status).toBe(413);
  });
});
