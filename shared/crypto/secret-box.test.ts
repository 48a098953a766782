import { describe, expect, it } from "vitest";
import { importMasterKey, open, seal } from "./secret-box.ts";

const master = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i)));

describe("secret box", () => {
  it("seals and opens, never leaving the plaintext visible", async () => {
    const key = await importMasterKey(master);
    const sealed = await seal(key, "sk-secret-123", "tenant-a/openai");
    expect(sealed).not.toContain("sk-secret");
    expect(await seal(key, "sk-secret-123", "tenant-a/openai")).not.toBe(sealed); // fresh IV
    expect(await open(key, sealed, "tenant-a/openai")).toBe("sk-secret-123");
  });

  it("refuses another context, another master key, a tampered value and short keys", async () => {
    const key = await importMasterKey(master);
    const sealed = await seal(key, "sk-secret-123", "tenant-a/openai");
    await expect(open(key, sealed, "tenant-b/openai")).rejects.toThrow();
    const other = await importMasterKey(btoa(String.fromCharCode(...new Uint8Array(32).fill(7))));
    await expect(open(other, sealed, "tenant-a/openai")).rejects.toThrow();
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`;
    await expect(open(key, flipped, "tenant-a/openai")).rejects.toThrow();
    await expect(importMasterKey(btoa("too short"))).rejects.toThrow(/32 bytes/);
  });
});
