import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";

describe("password hashing", () => {
  it("round-trips, refuses other passwords, and salts every hash", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", stored)).toBe(false);
    expect(await hashPassword("correct horse battery staple")).not.toBe(stored);
  });

  it("reads the cost from the stored hash (RFC 7914 test vector) and refuses junk and null", async () => {
    // scrypt("password", "NaCl", N=1024, r=8, p=16, 64 bytes) from RFC 7914 section 12.
    const hash = Buffer.from(
      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
      "hex",
    ).toString("base64");
    const stored = `scrypt$1024$8$16$${Buffer.from("NaCl").toString("base64")}$${hash}`;
    expect(await verifyPassword("password", stored)).toBe(true);
    expect(await verifyPassword("Password", stored)).toBe(false);
    expect(await verifyPassword("password", "bcrypt$whatever")).toBe(false);
    expect(await verifyPassword("", null)).toBe(false);
  });
});
