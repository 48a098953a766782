import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { provenanceOf } from "../../store/queries/models.ts";
import type { ModelLease } from "../loaded-model.ts";
import { reusablePrefix } from "../prompt-prefix.ts";
import type { GeneratedChoice, GenerationOptions, GenerationResult } from "./types.ts";

/** One choice to generate on the request's sequence. */
export interface ChoiceTurn {
  sequence: LlamaContextSequence;
  /** Index of the choice in the response. */
  choice: number;
  /** Reports generated tokens (usage, throughput, `onTokens`). */
  countTokens: (n: number) => void;
  /**
   * Reports the choice's prompt as one sampling pass is about to evaluate it: how many of its
   * tokens the sequence already holds (`onPrompt`). Call it right before each pass.
   */
  countPrompt: () => void;
}

/** What {@link generateChoices} generates. */
export interface ChoicesPlan {
  count: number;
  /** Prompt tokens reported in `usage`. */
  promptTokens: number;
  /** The tokens a choice's prompt is evaluated as, exactly as node-llama-cpp feeds them. */
  promptOf: (choice: number) => readonly Token[];
  /**
   * A seeded request starts every choice on a cleared sequence, so its output does not depend
   * on what ran there before; an unseeded one keeps the prompt prefix the sequence holds.
   */
  seeded: boolean;
}

/**
 * Generates the plan's choices one after another on one sequence of the leased model. A request
 * never holds more than one sequence, so pool and queue sizes bound requests exactly.
 */
export async function generateChoices(
  lease: ModelLease,
  plan: ChoicesPlan,
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
  const held = await lease.acquireSequence(
    options.signal,
    options.priority,
    plan.seeded ? undefined : plan.promptOf(0),
  );
  const { sequence } = held;
  try {
    options.onStart?.(lease.row);
    for (let choice = 0; choice < plan.count; choice++) {
      if (plan.seeded && sequence.nextTokenIndex > 0) await sequence.clearHistory();
      const prompt = plan.promptOf(choice);
      const countPrompt = () => {
        const reused = reusablePrefix(sequence, prompt);
        options.onPrompt?.({ reused, evaluated: prompt.length - reused });
      };
      choices.push(await generate({ sequence, choice, countTokens, countPrompt }));
    }
  } finally {
    held.release();
  }
  return {
    model: lease.row.name,
    provenance: provenanceOf(lease.row),
    choices,
    usage: {
      prompt_tokens: plan.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: plan.promptTokens + completionTokens,
    },
  };
}
