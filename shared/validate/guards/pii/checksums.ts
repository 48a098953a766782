/**
 * The arithmetic that turns a pattern match into a PII hit: Luhn and card prefixes, IBAN mod-97
 * with per-country lengths, the SSA's rules for US social security numbers, IP address syntax.
 * Each check is what separates a real identifier from a number that merely looks like one.
 */

/** True when the digit string passes the Luhn (mod-10) check that every payment card carries. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Issuer prefixes (IIN ranges) and the lengths each network issues, for plausibility. */
const CARD_NETWORKS: { name: string; prefix: (p: number) => boolean; lengths: number[] }[] = [
  { name: "visa", prefix: (p) => Math.floor(p / 1e5) === 4, lengths: [13, 16, 19] },
  {
    name: "mastercard",
    prefix: (p) => {
      const two = Math.floor(p / 1e4);
      const four = Math.floor(p / 100);
      return (two >= 51 && two <= 55) || (four >= 2221 && four <= 2720);
    },
    lengths: [16],
  },
  {
    name: "amex",
    prefix: (p) => [34, 37].includes(Math.floor(p / 1e4)),
    lengths: [15],
  },
  {
    name: "discover",
    prefix: (p) => {
      const four = Math.floor(p / 100);
      const three = Math.floor(p / 1000);
      const two = Math.floor(p / 1e4);
      return four === 6011 || two === 65 || (three >= 644 && three <= 649);
    },
    lengths: [16, 17, 18, 19],
  },
  {
    name: "diners",
    prefix: (p) => {
      const three = Math.floor(p / 1000);
      const two = Math.floor(p / 1e4);
      return (three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39;
    },
    lengths: [14, 15, 16, 17, 18, 19],
  },
  {
    name: "jcb",
    prefix: (p) => {
      const four = Math.floor(p / 100);
      return four >= 3528 && four <= 3589;
    },
    lengths: [16, 17, 18, 19],
  },
  { name: "unionpay", prefix: (p) => Math.floor(p / 1e4) === 62, lengths: [16, 17, 18, 19] },
  {
    name: "maestro",
    prefix: (p) => {
      const two = Math.floor(p / 1e4);
      return two === 50 || (two >= 56 && two <= 69);
    },
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  },
];

/** The card network a digit string plausibly belongs to (prefix, length, Luhn), or null. */
export function cardNetwork(digits: string): string | null {
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) return null;
  const prefix = Number(digits.slice(0, 6));
  const network = CARD_NETWORKS.find((n) => n.prefix(prefix) && n.lengths.includes(digits.length));
  return network?.name ?? null;
}

/** IBAN length per country (SWIFT IBAN registry); a country not listed issues no IBAN. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** True for a compact IBAN (no spaces, upper case) of the right length with check digits ≡ 1 mod 97. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  // Piecewise mod keeps every step inside a double's exact integer range.
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/**
 * True for a US SSN that the SSA could have issued: area not 000, 666 or 900–999, group not 00,
 * serial not 0000, and not the numbers famously misused in advertising (078-05-1120, 219-09-9999).
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  const whole = `${area}${group}${serial}`;
  return whole !== "078051120" && whole !== "219099999";
}

/** True for dotted-quad IPv4 with octets 0–255 and no leading zeros (those read as octal). */
export function ipv4Valid(text: string): boolean {
  const parts = text.split(".");
  return (
    parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
  );
}

/** True for an IPv6 address in RFC 4291 text form (with `::` and an optional IPv4 tail). */
export function ipv6Valid(text: string): boolean {
  let body = text;
  let extra = 0;
  const lastColon = body.lastIndexOf(":");
  const tail = body.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!ipv4Valid(tail)) return false;
    body = `${body.slice(0, lastColon + 1)}0`;
    extra = 1; // the IPv4 tail fills two groups, the placeholder counted one
  }
  const halves = body.split("::");
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)))) return false;
  const count = groups.reduce((n, g) => n + g.length, 0) + extra;
  return halves.length === 2 ? count <= 7 : count === 8;
}
