/**
 * The shape every OpenAI-format stream shares (chat and legacy completions): complete only
 * when `data: [DONE]` follows an event that carried a finish reason; usage is the latest seen.
 */
import type { Usage } from "../../../shared/api/schemas/common.ts";
import type { SseEvent, StreamTranslator } from "../types.ts";

/** What one data event (not `[DONE]`) of an OpenAI-format stream turned into. */
export interface TranslatedEvent<C> {
  chunks: C[];
  /** The event carried a finish reason. */
  finished: boolean;
  usage?: Usage;
}

/** A translator that hands every data event to `translate` and tracks completeness and usage. */
export function doneTerminatedStream<C>(
  translate: (event: SseEvent) => TranslatedEvent<C>,
): StreamTranslator<C> {
  let sawFinish = false;
  let complete = false;
  let usage: Usage | undefined;
  return {
    get complete() {
      return complete;
    },
    get usage() {
      return usage;
    },
    push(event: SseEvent): C[] {
      if (event.data === "[DONE]") {
        complete = sawFinish;
        return [];
      }
      const out = translate(event);
      if (out.finished) sawFinish = true;
      if (out.usage) usage = out.usage;
      return out.chunks;
    },
  };
}
