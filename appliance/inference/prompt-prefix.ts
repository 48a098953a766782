import type { LlamaContextSequence, Token } from "node-llama-cpp";

/**
 * Tokens at the start of `prompt` that `sequence` already holds in its KV cache and that
 * node-llama-cpp keeps: LlamaChat and LlamaCompletion erase the sequence from the first token
 * that differs (`adaptStateToTokens(tokens, false)`) and evaluate only the rest, but always
 * evaluate the prompt's last token again, since sampling needs its logits.
 */
export function reusablePrefix(sequence: LlamaContextSequence, prompt: readonly Token[]): number {
  if (prompt.length <= 1) return 0;
  // compareContextTokens only reads the array; its type asks for a mutable one.
  const { firstDifferentIndex } = sequence.compareContextTokens(prompt as Token[]);
  return Math.min(firstDifferentIndex, prompt.length - 1);
}
