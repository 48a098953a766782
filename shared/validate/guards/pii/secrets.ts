/**
 * API-key-like secrets: tokens with a vendor's known prefix, and a high-entropy fallback for
 * keys whose vendor is unknown.
 */

/** Known secret formats, most specific first (the first to match a span names it). */
export const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: "private_key", pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/g },
  { name: "textnlp", pattern: /\btnlp_[A-Za-z0-9_-]{20,}/g },
  { name: "anthropic", pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: "openai", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: "stripe", pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: "aws_access_key", pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g },
  { name: "github", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { name: "slack", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: "google_api_key", pattern: /\bAIza[A-Za-z0-9_-]{35}/g },
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...text].length;
  for (const c of counts.values()) bits -= (c / n) * Math.log2(c / n);
  return bits;
}

/** Options of the high-entropy fallback. */
export interface EntropyOptions {
  /** Shortest token considered (default 32). */
  minLength?: number;
  /**
   * Bits per character above which a token is a secret (default 4.2). Hex digests (git SHAs,
   * SHA-256, UUIDs) top out at 4 bits per character, so they stay below it on purpose: they are
   * identifiers, not credentials.
   */
  minEntropy?: number;
}

// `=` only as base64 padding at the end, so `NAME=value` splits into the name and the value.
const TOKEN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/_=-])/g;

/** Spans of tokens that look random enough to be credentials: mixed letters and digits. */
export function highEntropySpans(
  text: string,
  options: EntropyOptions = {},
): { start: number; end: number; value: string }[] {
  const { minLength = 32, minEntropy = 4.2 } = options;
  const spans: { start: number; end: number; value: string }[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const value = m[0];
    if (value.length < minLength) continue;
    // Words, paths and numbers are long but not random: require letters of both cases and digits.
    if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/\d/.test(value)) continue;
    if (shannonEntropy(value) < minEntropy) continue;
    spans.push({ start: m.index, end: m.index + value.length, value });
  }
  return spans;
}
