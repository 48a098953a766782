/**
 * Encoding and decoding of link frames. Decoding never throws: a frame that is not JSON, has
 * an unknown `type`, or does not match its schema comes back as a refusal with a reason, which
 * the caller logs and answers (or ignores) without dropping the link.
 */
import { Frame } from "./frames.ts";

/** The largest frame either side accepts (a request body or a chunk), in characters. */
export const MAX_FRAME_CHARS = 8 * 1024 * 1024;

/** A decoded frame, or why the text is not one. */
export type Decoded = { ok: true; frame: Frame } | { ok: false; reason: string };

const known: ReadonlySet<string> = new Set(Frame.options.map((option) => option.shape.type.value));

/** The text of one WebSocket message carrying `frame`. */
export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}

/** Reads one WebSocket message (text or bytes) as a frame. */
export function decodeFrame(message: string | ArrayBuffer | Uint8Array): Decoded {
  let text: string;
  try {
    text =
      typeof message === "string"
        ? message
        : new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(message);
  } catch {
    return { ok: false, reason: "the frame is not UTF-8 text" };
  }
  if (text.length > MAX_FRAME_CHARS) {
    return { ok: false, reason: `the frame is larger than ${MAX_FRAME_CHARS} characters` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the frame is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "the frame is not a JSON object" };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { ok: false, reason: "the frame has no type" };
  if (!known.has(type)) return { ok: false, reason: `unknown frame type '${type.slice(0, 64)}'` };
  const parsed = Frame.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "frame";
    return {
      ok: false,
      reason: `malformed ${type} frame: ${where}: ${issue?.message ?? "invalid"}`,
    };
  }
  return { ok: true, frame: parsed.data };
}
