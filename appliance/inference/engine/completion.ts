import { LlamaCompletion, type LlamaModel, LlamaVocabularyType, type Token } from "node-llama-cpp";
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

/** A completion prompt as LlamaCompletion meets it. */
interface CompletionPrompt {
  text: string;
  /** The text's tokens, handed to LlamaCompletion. */
  input: Token[];
  /** What the sequence evaluates: the beginning token LlamaCompletion prepends, then `input`. */
  tokens: Token[];
}

/** A legacy text completion on a leased model: one choice per prompt, or `n` of one prompt. */
export async function runCompletion(
  lease: ModelLease,
  req: CompletionRequest,
  options: GenerationOptions,
): Promise<GenerationResult> {
  const texts = completionPrompts(req);
  const prompts = texts.map((text) => completionPrompt(lease.model, text));
  const lengths = prompts.map((p) => p.tokens.length);
  const maxTokens = outputBudget(
    lease.loaded.contextSize,
    Math.max(...lengths),
    req.max_tokens ?? 16,
  );
  const promptOf = (choice: number) => prompts[prompts.length > 1 ? choice : 0] as CompletionPrompt;
  const plan = {
    count: prompts.length > 1 ? prompts.length : (req.n ?? 1),
    promptTokens: lengths.reduce((a, b) => a + b, 0),
    promptOf: (choice: number) => promptOf(choice).tokens,
    seeded: req.seed != null,
  };
  return generateChoices(lease, plan, options, (turn) =>
    completionChoice(turn, req, promptOf(turn.choice), maxTokens, options),
  );
}

/**
 * Tokenizes a completion prompt as LlamaCompletion tokenizes text (its leading space trimmed
 * where a beginning token goes first), so the tokens counted and matched against cached
 * prompts are the ones evaluated.
 */
function completionPrompt(model: LlamaModel, text: string): CompletionPrompt {
  const bos = beginningToken(model);
  const input = model.tokenize(text, false, bos == null ? undefined : "trimLeadingSpace");
  return { text, input, tokens: bos == null ? input : [bos, ...input] };
}

/** The token LlamaCompletion puts before a prompt (node-llama-cpp's `resolveBeginningTokenToPrepend`). */
function beginningToken(model: LlamaModel): Token | null {
  const { vocabularyType, tokens } = model;
  if (vocabularyType === LlamaVocabularyType.wpm) return tokens.bos;
  if (vocabularyType === LlamaVocabularyType.rwkv || vocabularyType === LlamaVocabularyType.ugm)
    return null;
  return tokens.shouldPrependBosToken ? tokens.bos : null;
}

async function completionChoice(
  turn: ChoiceTurn,
  req: CompletionRequest,
  prompt: CompletionPrompt,
  maxTokens: number,
  options: GenerationOptions,
): Promise<GeneratedChoice> {
  if (req.echo) options.onText?.(turn.choice, prompt.text);
  const completion = new LlamaCompletion({
    contextSequence: turn.sequence,
    autoDisposeSequence: false,
  });
  try {
    const generated = await sampleWithStops(
      { choice: turn.choice, options, stop: req.stop, stream: true },
      async ({ signal, onTextChunk }) => {
        turn.countPrompt();
        const result = await completion.generateCompletionWithMeta(prompt.input, {
          ...llamaSampling(req, maxTokens),
          signal,
          stopOnAbortSignal: true,
          onTextChunk,
          onToken: (tokens: Token[]) => turn.countTokens(tokens.length),
        });
        return result.metadata.stopReason;
      },
    );
    return req.echo ? { ...generated, text: prompt.text + generated.text } : generated;
  } finally {
    completion.dispose();
  }
}
