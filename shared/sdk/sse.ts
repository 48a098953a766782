import { createParser } from "eventsource-parser";
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
  const queue: string[] = [];
  const parser = createParser({ onEvent: (event) => queue.push(event.data) });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) {
        const data = queue.shift() as string;
        if (data === "[DONE]") return;
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
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}
