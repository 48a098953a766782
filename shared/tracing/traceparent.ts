/**
 * W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/): the edge's request
 * log names each request's trace, and both halves will carry it on every hop once they trace.
 * A header that breaks the rules is ignored (a fresh trace begins), never an error: a client's
 * bad header must not fail its request.
 */

/** What a valid `traceparent` carries. */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, not all zero. */
  parentId: string;
  /** The trace flags' sampled bit. */
  sampled: boolean;
}

/** version-traceid-parentid-flags; later versions may append `-…` fields after these four. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZEROS = /^0+$/;

/** Parses a `traceparent` header, or null when it is absent or invalid. */
export function parseTraceparent(header: string | null | undefined): TraceParent | null {
  const match = header ? TRACEPARENT.exec(header) : null;
  if (!match) return null;
  const [, version, traceId, parentId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  // Version ff is forbidden; version 00 has exactly four fields.
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return null;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** `bytes` random bytes as lowercase hex, never all zero. */
function randomHex(bytes: number): string {
  for (;;) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    if (!ZEROS.test(hex)) return hex;
  }
}

/** A fresh trace id (32 hex digits). */
export function newTraceId(): string {
  return randomHex(16);
}

/** A fresh span id (16 hex digits). */
export function newSpanId(): string {
  return randomHex(8);
}

/** The trace a request belongs to: its valid `traceparent`'s, else a fresh one. */
export function traceIdOf(header: string | null | undefined): string {
  return parseTraceparent(header)?.traceId ?? newTraceId();
}
