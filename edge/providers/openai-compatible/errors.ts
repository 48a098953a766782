/**
 * Error bodies of OpenAI-compatible providers: OpenAI's `{"error":{message,type,code}}` and
 * Mistral's flat `{"object":"error","message":…}`, whose message is a string, or for a 422 the
 * pydantic `{"detail":[…]}` (as an object, an array, or JSON in a string; sometimes `detail`
 * sits beside it); AI21's FastAPI `{"detail": "…"}` or `{"detail": […]}`. The provider's own
 * words are kept: they say what to fix.
 */
import type { ProviderError } from "../errors.ts";

/** One pydantic validation error, as FastAPI and Mistral list them. */
interface ValidationDetail {
  type?: string;
  loc?: (string | number)[];
  msg?: string;
}

/** `body.stream_options: Extra inputs are not permitted (extra_forbidden)`, one per error. */
function detailText(detail: unknown): string | undefined {
  if (!Array.isArray(detail) || detail.length === 0) return undefined;
  return (detail as ValidationDetail[])
    .map((d) => {
      const where = (d.loc ?? []).join(".");
      const what = `${d.msg ?? "invalid"}${d.type ? ` (${d.type})` : ""}`;
      return where ? `${where}: ${what}` : what;
    })
    .join("; ");
}

/** Mistral's `message`: plain words, a detail list, or either inside a JSON string. */
function messageText(message: unknown): string | undefined {
  if (typeof message === "string") {
    if (!message.startsWith("{") && !message.startsWith("[")) return message || undefined;
    try {
      return messageText(JSON.parse(message)) ?? message;
    } catch {
      return message;
    }
  }
  if (Array.isArray(message)) return detailText(message);
  if (message && typeof message === "object") {
    const inner = message as { detail?: unknown; message?: unknown };
    return detailText(inner.detail) ?? messageText(inner.message);
  }
  return undefined;
}

/** Reads the provider's message (and code) out of an OpenAI-compatible error body. */
export function openAiErrorMessage(raw: unknown): ProviderError {
  const body = (raw ?? {}) as {
    error?: { message?: string; code?: string | number | null; type?: string } | string;
    message?: unknown;
    detail?: unknown;
    type?: string;
  };
  if (typeof body.error === "string") return { message: body.error };
  if (body.error?.message) {
    const code = body.error.code ?? null;
    return { message: body.error.message, code: code === null ? null : String(code) };
  }
  const message =
    messageText(body.message) ??
    (typeof body.detail === "string" ? body.detail || undefined : detailText(body.detail));
  return message ? { message } : { message: "upstream error" };
}
