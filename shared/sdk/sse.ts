import { readSse, SSE_DONE } from "../sse/index.ts";
import { TextNlpError } from "./errors.ts";

type MaybeError = { error?: { message: string; type?: string; code?: string } } | null;

/**
 * The `data:` payloads of a server-sent-events body, parsed as JSON, until `[DONE]` or the end.
 * An in-band error object (`{"error": …}`) is thrown as a {@link TextNlpError}.
 */
export async function* sseJson<T>(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  for await (const { data } of readSse(body, { signal })) {
    if (data === SSE_DONE) return;
    const parsed = JSON.parse(data) as MaybeError;
    if (parsed && typeof parsed === "object" && parsed.error) {
      throw new TextNlpError(
        500,
        parsed.error.message,
        parsed.error.type ?? null,
        parsed.error.code ?? null,
      );
    }
    yield parsed as T;
  }
}
