import type { LlamaContextSequence } from "node-llama-cpp";
import type { ModelLease } from "../loaded-model.ts";
import type { GeneratedChoice, GenerationOptions, GenerationResult } from "./types.ts";

/** One choice to generate on the request's sequence. */
export interface ChoiceTurn {
  sequence: LlamaContextSequence;
  /** Index of the choice in the response. */
  choice: number;
  /** Reports generated tokens (usage, throughput, `onTokens`). */
  countTokens: (n: number) => void;
}

/**
 * Generates `count` choices one after another on one sequence of the leased model. A request
 * never holds more than one sequence, so pool and queue sizes bound requests exactly.
 */
export async function generateChoices(
  lease: ModelLease,
  count: number,
  promptTokens: number,
  options: GenerationOptions,
  generate: (turn: ChoiceTurn) => Promise<GeneratedChoice>,
): Promise<GenerationResult> {
  const { loaded } = lease;
  let completionTokens = 0;
  const countTokens = (n: number) => {
    completionTokens += n;
    loaded.throughput.record(n);
    options.onTokens?.(n);
  };
  const choices: GeneratedChoice[] = [];
  const held = await lease.acquireSequence(options.signal, options.priority);
  try {
    options.onStart?.(loaded.row.name);
    for (let choice = 0; choice < count; choice++) {
      // A clean sequence makes a seeded request reproducible whatever ran on it before.
      if (held.sequence.nextTokenIndex > 0) await held.sequence.clearHistory();
      choices.push(await generate({ sequence: held.sequence, choice, countTokens }));
    }
  } finally {
    held.release();
  }
  return {
    model: loaded.row.name,
    choices,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}
