/**
 * Perplexity of a text under a local model, from the model's own token probabilities: every
 * token is scored given the tokens before it (and BOS where the model starts with one), in one
 * batched evaluation: node-llama-cpp's `controlledEvaluate` returns, per input position, the
 * distribution of the next token. Sampling is left neutral (temperature 1, no top-k / top-p /
 * min-p truncation), so the distribution is the plain softmax of the logits over the vocabulary.
 */
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { ApiError } from "../../shared/api/errors.ts";

/** One scored token: its id, its text and the natural log of its probability. */
export interface TokenLogprob {
  token: number;
  text: string;
  logprob: number;
}

/** The perplexity of one text. */
export interface PerplexityResult {
  /** exp(−mean log p) over the scored tokens; null for a text with no token to score. */
  perplexity: number | null;
  /** Mean natural-log probability per scored token. */
  meanLogprob: number | null;
  /** Tokens scored (the first token too when the model has a BOS token to condition on). */
  tokens: number;
  tokenLogprobs: TokenLogprob[];
}

/** The unmodified next-token distribution: no temperature scaling, nothing cut off. */
const NEUTRAL = { temperature: 1, topK: 0, topP: 1, minP: 0 } as const;

/** The tokens to feed and the targets each position predicts. */
export function scoringPlan(model: LlamaModel, text: string): { input: Token[]; targets: Token[] } {
  const tokens = model.tokenize(text);
  const bos = model.tokens.bos;
  // Without a BOS token to condition on, the first token has no prediction and is not scored.
  return bos !== null && model.tokens.shouldPrependBosToken
    ? { input: [bos, ...tokens.slice(0, -1)], targets: tokens }
    : { input: tokens.slice(0, -1), targets: tokens.slice(1) };
}

/**
 * Scores `text` on a clean `sequence` (its history is cleared first). Throws a 400 when the
 * text does not fit the sequence's context.
 */
export async function perplexityOf(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  text: string,
  param = "hypotheses",
): Promise<PerplexityResult> {
  const { input, targets } = scoringPlan(model, text);
  if (targets.length === 0)
    return { perplexity: null, meanLogprob: null, tokens: 0, tokenLogprobs: [] };
  if (input.length > sequence.contextSize)
    throw new ApiError(
      400,
      `A text has ${input.length} tokens; this model scores at most ${sequence.contextSize}.`,
      { param, code: "context_length_exceeded" },
    );
  if (sequence.nextTokenIndex > 0) await sequence.clearHistory();
  const output = await sequence.controlledEvaluate(
    input.map((token) => [
      token,
      { generateNext: { probabilities: true, options: { ...NEUTRAL } } },
    ]),
  );
  const tokenLogprobs = targets.map((token, i) => {
    const p = output[i]?.next.probabilities?.get(token) ?? 0;
    // A probability that underflowed float32 is the smallest there is, not impossible.
    return {
      token,
      text: model.detokenize([token]),
      logprob: Math.log(Math.max(p, Number.MIN_VALUE)),
    };
  });
  const meanLogprob = tokenLogprobs.reduce((s, t) => s + t.logprob, 0) / tokenLogprobs.length;
  await sequence.clearHistory();
  return { perplexity: Math.exp(-meanLogprob), meanLogprob, tokens: targets.length, tokenLogprobs };
}
