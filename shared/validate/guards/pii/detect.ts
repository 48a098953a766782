/**
 * PII detection and masking. Every hit carries its type, its UTF-16 span in the original text
 * and the matched value; masking rewrites only those spans, so the rest of the text is
 * unchanged to the code unit.
 */
import { type CountryCode, findPhoneNumbersInText } from "libphonenumber-js/max";
import {
  cardNetwork,
  IBAN_LENGTHS,
  ibanValid,
  ipv4Valid,
  ipv6Valid,
  ssnValid,
} from "./checksums.ts";
import { type EntropyOptions, highEntropySpans, SECRET_PATTERNS } from "./secrets.ts";

import { PII_TYPES, type PiiType } from "./types.ts";

export { PII_TYPES, type PiiType };

/** One detected span. */
export interface PiiHit {
  type: PiiType;
  /** UTF-16 offset of the first code unit. */
  start: number;
  /** UTF-16 offset after the last code unit. */
  end: number;
  value: string;
  /** What made it a hit: the card network, the secret's vendor, … */
  detail?: string;
}

/** Options of {@link detectPii}. */
export interface PiiOptions {
  /** Types to look for (default: all). */
  types?: readonly PiiType[];
  /** Country assumed for phone numbers written without `+` (default `US`). */
  defaultCountry?: CountryCode;
  /** Tuning of the high-entropy secret fallback; `false` turns it off. */
  entropy?: EntropyOptions | false;
}

/**
 * When spans overlap, the type earlier here wins, then the longer span, then the earlier one.
 * Checksummed types come first: a valid IBAN or card is stronger evidence than a phone parse.
 */
const PRIORITY: readonly PiiType[] = [
  "secret",
  "email",
  "iban",
  "card",
  "ssn",
  "ipv6",
  "ipv4",
  "phone",
];

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;
// Groups of digits joined by single spaces or dashes; the separators are stripped before checks.
const CARD = /(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d]|-\d)/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;
const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d]|-\d)/g;
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d|\.\d)/g;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?![\w:])/g;
/**
 * A dotted quad right after a version word is a version number, not an address
 * ("version 1.2.3.4", "v1.2.3.4", "build 10.0.19041.1").
 */
const VERSION_CUE = /(?:\b(?:version|ver|v|release|build|rev)\.?\s*|\bv)$/i;

/**
 * Digits right after `#` or a document word are a document number that happens to parse as a
 * phone number ("Invoice #2024-000123", "order no. 415 555 2671").
 */
const DOCUMENT_NUMBER_CUE =
  /(?:#|\b(?:invoice|order|ticket|case|ref|reference|receipt|tracking)\s*(?:no\.?|number|#|id)?:?)\s*$/i;

function* regexHits(text: string, type: PiiType, pattern: RegExp): Generator<PiiHit> {
  for (const m of text.matchAll(pattern))
    yield { type, start: m.index, end: m.index + m[0].length, value: m[0] };
}

function* candidates(
  text: string,
  types: ReadonlySet<PiiType>,
  options: PiiOptions,
): Generator<PiiHit> {
  if (types.has("email")) yield* regexHits(text, "email", EMAIL);
  if (types.has("card"))
    for (const hit of regexHits(text, "card", CARD)) {
      const digits = hit.value.replace(/[ -]/g, "");
      const network = cardNetwork(digits);
      if (network) yield { ...hit, detail: network };
    }
  if (types.has("iban"))
    for (const hit of regexHits(text, "iban", IBAN)) {
      // The greedy match may swallow a following word in capitals; try shorter prefixes too.
      const compact = hit.value.replace(/ /g, "");
      const length = ibanLengthWithin(compact);
      if (length === 0) continue;
      let seen = 0;
      let end = hit.start;
      while (seen < length) if (text[end++] !== " ") seen++;
      yield { ...hit, end, value: text.slice(hit.start, end), detail: compact.slice(0, 2) };
    }
  if (types.has("ssn"))
    for (const m of text.matchAll(SSN))
      if (ssnValid(m[1], m[3], m[4]))
        yield { type: "ssn", start: m.index, end: m.index + m[0].length, value: m[0] };
  if (types.has("ipv4"))
    for (const hit of regexHits(text, "ipv4", IPV4))
      if (
        ipv4Valid(hit.value) &&
        !VERSION_CUE.test(text.slice(Math.max(0, hit.start - 12), hit.start))
      )
        yield hit;
  if (types.has("ipv6"))
    for (const hit of regexHits(text, "ipv6", IPV6)) {
      // A sentence may end right after an address: drop one trailing full stop.
      const value = hit.value.endsWith(".") ? hit.value.slice(0, -1) : hit.value;
      if (ipv6Valid(value) && /[0-9A-Fa-f]/.test(value))
        yield { ...hit, end: hit.start + value.length, value };
    }
  if (types.has("phone"))
    for (const found of findPhoneNumbersInText(text, {
      defaultCountry: options.defaultCountry ?? "US",
    }))
      if (!DOCUMENT_NUMBER_CUE.test(text.slice(Math.max(0, found.startsAt - 20), found.startsAt)))
        yield {
          type: "phone" as const,
          start: found.startsAt,
          end: found.endsAt,
          value: text.slice(found.startsAt, found.endsAt),
          detail: found.number.number,
        };
  if (types.has("secret")) {
    for (const { name, pattern } of SECRET_PATTERNS)
      for (const hit of regexHits(text, "secret", pattern)) yield { ...hit, detail: name };
    if (options.entropy !== false)
      for (const span of highEntropySpans(text, options.entropy || {}))
        yield { type: "secret" as const, ...span, detail: "high_entropy" };
  }
}

/** The length of the valid IBAN the compact string starts with, or 0. */
function ibanLengthWithin(compact: string): number {
  const length: number | undefined = IBAN_LENGTHS[compact.slice(0, 2)];
  return length !== undefined && compact.length >= length && ibanValid(compact.slice(0, length))
    ? length
    : 0;
}

/**
 * Finds PII in a text. Overlapping candidates are resolved deterministically (type priority,
 * then longer, then earlier); the result is sorted by start offset.
 */
export function detectPii(text: string, options: PiiOptions = {}): PiiHit[] {
  const types = new Set<PiiType>(options.types ?? PII_TYPES);
  const all = [...candidates(text, types, options)];
  all.sort(
    (a, b) =>
      PRIORITY.indexOf(a.type) - PRIORITY.indexOf(b.type) ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: PiiHit[] = [];
  for (const hit of all)
    if (!kept.some((k) => hit.start < k.end && k.start < hit.end)) kept.push(hit);
  return kept.sort((a, b) => a.start - b.start);
}

/** Options of {@link maskPii}. */
export interface MaskOptions extends PiiOptions {
  /** Replacement per type (default `[EMAIL]`, `[PHONE]`, …), or a function of the hit. */
  replacement?: Partial<Record<PiiType, string>> | ((hit: PiiHit) => string);
}

/** Default mask of a type: its name in capitals, in brackets. */
export const defaultMask = (type: PiiType) => `[${type.toUpperCase()}]`;

/** The text with every PII span replaced; everything between spans is copied unchanged. */
export function maskPii(text: string, options: MaskOptions = {}): { text: string; hits: PiiHit[] } {
  const hits = detectPii(text, options);
  const { replacement } = options;
  const maskOf = (hit: PiiHit) =>
    typeof replacement === "function"
      ? replacement(hit)
      : (replacement?.[hit.type] ?? defaultMask(hit.type));
  let out = "";
  let at = 0;
  for (const hit of hits) {
    out += text.slice(at, hit.start) + maskOf(hit);
    at = hit.end;
  }
  return { text: out + text.slice(at), hits };
}
