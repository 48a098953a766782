import { describe, expect, it } from "vitest";
import { cardNetwork, ibanValid, ipv6Valid, luhnValid, ssnValid } from "./checksums.ts";
import { detectPii, maskPii, PII_TYPES, type PiiType } from "./detect.ts";
import { LABELLED_PII } from "./labelled.ts";
import { shannonEntropy } from "./secrets.ts";

/** Floors every type must hold on the labelled set. */
const PRECISION_FLOOR = 0.95;
const RECALL_FLOOR = 0.95;

describe("PII detection on the labelled set", () => {
  const counts = new Map(PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0, positives: 0 }]));
  const misses: string[] = [];
  for (const { text, expected } of LABELLED_PII) {
    const found = detectPii(text).map((h): [PiiType, string] => [h.type, h.value]);
    const key = ([t, v]: [PiiType, string]) => `${t}\u0000${v}`;
    const want = new Set(expected.map(key));
    const got = new Set(found.map(key));
    for (const e of expected) {
      const c = counts.get(e[0]);
      if (!c) continue;
      c.positives++;
      if (got.has(key(e))) c.tp++;
      else {
        c.fn++;
        misses.push(`missed ${e[0]} ${JSON.stringify(e[1])} in ${JSON.stringify(text)}`);
      }
    }
    for (const f of found)
      if (!want.has(key(f))) {
        const c = counts.get(f[0]);
        if (c) c.fp++;
        misses.push(`false ${f[0]} ${JSON.stringify(f[1])} in ${JSON.stringify(text)}`);
      }
  }
  const table = PII_TYPES.map((type) => {
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0, positives: 0 };
    const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
    const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
    return { type, ...c, precision, recall };
  });
  console.log(
    `PII labelled set (${LABELLED_PII.length} texts):\n${table
      .map(
        (r) =>
          `  ${r.type.padEnd(7)} positives ${r.positives}  tp ${r.tp} fp ${r.fp} fn ${r.fn}  precision ${r.precision.toFixed(3)}  recall ${r.recall.toFixed(3)}`,
      )
      .join("\n")}`,
  );
  if (misses.length > 0) console.log(misses.join("\n"));

  it.each(table)("$type: precision ≥ 0.95 and recall ≥ 0.95", (row) => {
    // A type with no positives would make recall vacuous: every type must be exercised.
    expect(row.positives).toBeGreaterThanOrEqual(4);
    expect(row.precision).toBeGreaterThanOrEqual(PRECISION_FLOOR);
    expect(row.recall).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });
});

describe("checksums", () => {
  it("Luhn and card networks", () => {
    expect(luhnValid("79927398713")).toBe(true); // the classic worked example of the Luhn check
    expect(luhnValid("79927398710")).toBe(false);
    expect(cardNetwork("4111111111111111")).toBe("visa");
    expect(cardNetwork("378282246310005")).toBe("amex");
    expect(cardNetwork("37828224631000")).toBeNull(); // Amex issues 15 digits only
    expect(cardNetwork("0000000000000000")).toBeNull();
  });
  it("IBAN mod 97 and length", () => {
    expect(ibanValid("GB82WEST12345698765432")).toBe(true);
    expect(ibanValid("GB82WEST12345698765431")).toBe(false);
    expect(ibanValid("GB82WEST1234569876543")).toBe(false);
  });
  it("SSN rules", () => {
    expect(ssnValid("123", "45", "6789")).toBe(true);
    expect(ssnValid("000", "45", "6789")).toBe(false);
    expect(ssnValid("899", "45", "6789")).toBe(true);
    expect(ssnValid("900", "45", "6789")).toBe(false);
  });
  it("IPv6 forms", () => {
    expect(ipv6Valid("::1")).toBe(true);
    expect(ipv6Valid("1::2:3:4:5:6:7:8")).toBe(false); // :: must stand for at least one group
    expect(ipv6Valid("::ffff:1.2.3.256")).toBe(false);
  });
  it("entropy in bits per character", () => {
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });
});

describe("masking", () => {
  it("replaces only the spans and keeps every other code unit", () => {
    const text = "😀 Mail jane@example.com, IP 10.1.2.3 — fin\r\n\ttab";
    const { text: masked, hits } = maskPii(text);
    expect(masked).toBe("😀 Mail [EMAIL], IP [IPV4] — fin\r\n\ttab");
    // Offsets are UTF-16 code units: the emoji before them counts two.
    expect(hits.map((h) => [h.type, h.start, h.end])).toEqual([
      ["email", 8, 24],
      ["ipv4", 29, 37],
    ]);
    for (const h of hits) expect(text.slice(h.start, h.end)).toBe(h.value);
  });
  it("keeps every text of the labelled set identical outside the hits", () => {
    for (const { text } of LABELLED_PII) {
      const { text: masked, hits } = maskPii(text, { replacement: () => "\u0000" });
      const pieces = masked.split("\u0000");
      expect(pieces).toHaveLength(hits.length + 1);
      let at = 0;
      hits.forEach((hit, i) => {
        expect(text.slice(at, hit.start)).toBe(pieces[i]);
        at = hit.end;
      });
      expect(text.slice(at)).toBe(pieces[hits.length]);
    }
  });
  it("takes replacements per type or as a function", () => {
    const text = "a@example.com 8.8.4.4";
    expect(maskPii(text, { replacement: { email: "<e>" } }).text).toBe("<e> [IPV4]");
    expect(maskPii(text, { replacement: (h) => "*".repeat(h.value.length) }).text).toBe(
      `${"*".repeat(13)} ${"*".repeat(7)}`,
    );
  });
  it("resolves overlaps by priority, the same way every time", () => {
    // A Visa test number with dashes is also a phone-number-shaped digit run: the card wins.
    const text = "4111-1111-1111-1111";
    expect(detectPii(text).map((h) => h.type)).toEqual(["card"]);
    // An e-mail whose local part is a long random token is one e-mail, not a secret inside one.
    expect(detectPii("x@example.com").map((h) => h.type)).toEqual(["email"]);
  });
  it("looks only for the types asked", () => {
    expect(detectPii("a@example.com 8.8.8.8", { types: ["ipv4"] }).map((h) => h.type)).toEqual([
      "ipv4",
    ]);
  });
});
