/**
 * String helpers that behave like Python's, because every reference tool we mirror (sacreBLEU,
 * rouge-score, NLTK) is Python: its `str.split()` and `str.rstrip()` treat a different set of
 * characters as whitespace than JavaScript's `\s` (Python adds U+001C..U+001F and U+0085 and
 * leaves out U+FEFF).
 */

/** Characters Python's `str.isspace()` accepts. */
const PY_WHITESPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`);
const PY_TRAILING_WHITESPACE = new RegExp(`[${PY_WHITESPACE}]+$`);
const PY_ALL_WHITESPACE = new RegExp(`[${PY_WHITESPACE}]+`, "g");

/** Python's `s.split()` with no argument: split on whitespace runs, drop empty pieces. */
export function pySplit(text: string): string[] {
  const parts = text.split(PY_WHITESPACE_RUN);
  // A leading or trailing run leaves one empty piece at either end; nothing empty sits inside.
  if (parts.length > 0 && parts[0] === "") parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** Python's `s.rstrip()` with no argument. */
export function pyRstrip(text: string): string {
  return text.replace(PY_TRAILING_WHITESPACE, "");
}

/** Python's `"".join(s.split())`: the text with every whitespace character removed. */
export function pyRemoveWhitespace(text: string): string {
  return text.replace(PY_ALL_WHITESPACE, "");
}

/**
 * Counts the character n-grams of `text` for n = 1..maxOrder, characters being Unicode code
 * points as in Python (a JavaScript string indexes UTF-16 units, so astral characters need care).
 */
export function charNgramCounts(text: string, maxOrder: number): Map<string, number>[] {
  const out: Map<string, number>[] = [];
  // Offsets of each code point in UTF-16 units, plus the end.
  let offsets: number[] | undefined;
  let length = text.length;
  if (/[\ud800-\udfff]/.test(text)) {
    offsets = [];
    let i = 0;
    for (const ch of text) {
      offsets.push(i);
      i += ch.length;
    }
    offsets.push(i);
    length = offsets.length - 1;
  }
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= length; i++) {
      const gram = offsets ? text.slice(offsets[i], offsets[i + n]) : text.slice(i, i + n);
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
    out.push(counts);
  }
  return out;
}

/**
 * Counts word n-grams of one order. `separator` joins the tokens of an n-gram into one key: a
 * space is safe for tokens split on whitespace; callers with arbitrary tokens pass "\u0000".
 */
export function wordNgramCounts(
  tokens: readonly string[],
  n: number,
  separator = " ",
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(separator);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/** The arithmetic mean; 0 for no values (a set figure of an empty set). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
