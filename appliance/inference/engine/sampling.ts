import { ApiError } from "../../../shared/api/errors.ts";
import type { FinishReason } from "../../../shared/api/schemas/common.ts";
import { stopList } from "../chat-format.ts";
import { StopStringMatcher } from "../stop-strings.ts";
import type { GeneratedChoice, GenerationOptions } from "./types.ts";

/** The OpenAI sampling fields chat and completion requests share. */
export interface SamplingRequest {
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  stop?: string | string[] | null;
}

/** node-llama-cpp's sampling options for a request. */
export function llamaSampling(req: SamplingRequest, maxTokens: number) {
  const penalties = req.presence_penalty || req.frequency_penalty;
  return {
    maxTokens,
    temperature: req.temperature ?? 1,
    topP: req.top_p ?? undefined,
    seed: req.seed ?? undefined,
    repeatPenalty: penalties
      ? { presencePenalty: req.presence_penalty ?? 0, frequencyPenalty: req.frequency_penalty ?? 0 }
      : undefined,
  };
}

/** The API's finish reason for node-llama-cpp's stop reason. */
export function finishReasonOf(stopReason: string): FinishReason {
  if (stopReason === "maxTokens") return "length";
  if (stopReason === "functionCalls") return "tool_calls";
  return "stop";
}

/** Room left for output; 400 when the prompt alone does not fit. */
export function outputBudget(
  contextSize: number,
  promptTokens: number,
  requested: number | null | undefined,
): number {
  const room = contextSize - promptTokens - 1;
  if (room < 1) {
    throw new ApiError(
      400,
      `This model's context holds ${contextSize} tokens, but the prompt has ${promptTokens}. Shorten the messages.`,
      { param: "messages", code: "context_length_exceeded" },
    );
  }
  return Math.min(room, requested ?? room);
}

/** What one sampling pass gets: its abort signal and where generated text goes. */
export interface SamplingPass {
  signal: AbortSignal;
  onTextChunk: (text: string) => void;
}

/** Options of {@link sampleWithStops}. */
export interface StopOptions {
  choice: number;
  options: GenerationOptions;
  stop: string | string[] | null | undefined;
  /** Release text to `onText` as it is decided (false when it is checked first). */
  stream: boolean;
}

/**
 * Runs one sampling pass with stop strings matched on the text (see StopStringMatcher): text is
 * released as it is decided when streaming, and generation is cut at a stop. `run` returns
 * node-llama-cpp's stop reason.
 */
export async function sampleWithStops(
  { choice, options, stop, stream }: StopOptions,
  run: (pass: SamplingPass) => Promise<string>,
): Promise<GeneratedChoice> {
  const matcher = new StopStringMatcher(stopList(stop));
  const stopper = new AbortController();
  const release = (text: string) => {
    if (stream && text) options.onText?.(choice, text);
  };
  const stopReason = await run({
    signal: AbortSignal.any([options.signal, stopper.signal]),
    onTextChunk: (text) => {
      release(matcher.push(text));
      if (matcher.stopped) stopper.abort();
    },
  });
  // stopOnAbortSignal returns quietly; a client disconnect or timeout must still fail.
  options.signal.throwIfAborted();
  release(matcher.flush());
  return {
    text: matcher.text,
    finishReason: matcher.stopped ? "stop" : finishReasonOf(stopReason),
  };
}
