import { LlamaCompletion, type Token } from "node-llama-cpp";
import { invalidRequest } from "../../../shared/api/errors.ts";
import type { CompletionRequest } from "../../../shared/api/schemas/completions.ts";
import type { ModelLease } from "../loaded-model.ts";
import { type ChoiceTurn, generateChoices } from "./choices.ts";
import { llamaSampling, outputBudget, sampleWithStops } from "./sampling.ts";
import type { GeneratedChoice, GenerationOptions, GenerationResult } from "./types.ts";

/** The prompts of a completion request; 400 for several prompts with n > 1. */
export function completionPrompts(req: CompletionRequest): string[] {
  const prompts = typeof req.prompt === "string" ? [req.prompt] : req.prompt;
  if (prompts.length > 1 && (req.n ?? 1) > 1)
    throw invalidRequest("Use either several prompts or n > 1, not both.", "n");
  return prompts;
}

/** A legacy text completion on a leased model: one choice per prompt, or `n` of one prompt. */
export async function runCompletion(
  lease: ModelLease,
  req: CompletionRequest,
  options: GenerationOptions,
): Promise<GenerationResult> {
  const prompts = completionPrompts(req);
  const tokenized = prompts.map((p) => lease.model.tokenize(p, false).length + 1);
  const promptTokens = tokenized.reduce((a, b) => a + b, 0);
  const maxTokens = outputBudget(
    lease.loaded.contextSize,
    Math.max(...tokenized),
    req.max_tokens ?? 16,
  );
  const count = prompts.length > 1 ? prompts.length : (req.n ?? 1);
  return generateChoices(lease, count, promptTokens, options, (turn) =>
    completionChoice(
      turn,
      req,
      prompts[prompts.length > 1 ? turn.choice : 0] as string,
      maxTokens,
      options,
    ),
  );
}

async function completionChoice(
  turn: ChoiceTurn,
  req: CompletionRequest,
  prompt: string,
  maxTokens: number,
  options: GenerationOptions,
): Promise<GeneratedChoice> {
  if (req.echo) options.onText?.(turn.choice, prompt);
  const completion = new LlamaCompletion({
    contextSequence: turn.sequence,
    autoDisposeSequence: false,
  });
  try {
    const generated = await sampleWithStops(
      { choice: turn.choice, options, stop: req.stop, stream: true },
      async ({ signal, onTextChunk }) => {
        const result = await completion.generateCompletionWithMeta(prompt, {
          ...llamaSampling(req, maxTokens),
          signal,
          stopOnAbortSignal: true,
          onTextChunk,
          onToken: (tokens: Token[]) => turn.countTokens(tokens.length),
        });
        return result.metadata.stopReason;
      },
    );
    return req.echo ? { ...generated, text: prompt + generated.text } : generated;
  } finally {
    completion.dispose();
  }
}
