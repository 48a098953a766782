import { describe, expect, it } from "vitest";
import { generateApiKeySecret, randomId, toBase64Url } from "./api-keys.ts";

describe("toBase64Url", () => {
  it("matches Node's base64url for every length and byte", () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 31) & 255);
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toBase64Url(all)).toBe(Buffer.from(all).toString("base64url"));
  });

  it("makes ids and secrets of the documented shape", () => {
    expect(randomId("use_")).toMatch(/^use_[\w-]{16}$/);
    expect(generateApiKeySecret()).toMatch(/^tnlp_[\w-]{43}$/);
  });
});
