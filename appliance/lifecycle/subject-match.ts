/**
 * Does a stored value mention a data subject? One predicate for SQLite (registered as a SQL
 * function) and for archive lines, so tables and archives can never disagree.
 *
 * The identifier must stand alone: `cust-42` does not match inside `cust-421`, nor
 * `bob@example.com` inside `jimbob@example.com`. Case is ignored (e-mail addresses), and the
 * JSON-escaped spelling is matched too, since JSON columns store `"` and `\` escaped.
 */

const wordChar = /[\p{L}\p{N}_]/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function standalone(needle: string): string {
  const before = wordChar.test(needle.at(0) ?? "") ? "(?<![\\p{L}\\p{N}_])" : "";
  const after = wordChar.test(needle.at(-1) ?? "") ? "(?![\\p{L}\\p{N}_])" : "";
  return `${before}${escapeRegExp(needle)}${after}`;
}

/** Builds the predicate for one identifier (trimmed; at least 3 characters). */
export function subjectMatcher(identifier: string): (value: unknown) => boolean {
  const subject = identifier.trim();
  if (subject.length < 3) throw new RangeError("a subject identifier needs at least 3 characters");
  const spellings = new Set([subject, JSON.stringify(subject).slice(1, -1)]);
  const pattern = new RegExp([...spellings].map(standalone).join("|"), "iu");
  return (value) => {
    if (value === null || value === undefined) return false;
    return pattern.test(typeof value === "string" ? value : JSON.stringify(value));
  };
}
