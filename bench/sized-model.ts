/**
 * A random-weight llama GGUF of about a given parameter count, so a bench can measure decoding
 * where the matrix work dominates (a real model's case) rather than the fixed cost per token that
 * dominates a 260K-parameter model.
 */
import { generatedModel } from "../test/helpers/models.ts";

/** Llama 2's vocabulary size: the output layer and sampling cost what they cost there. */
export const LLAMA_VOCAB = 32_000;

/** The shape of a llama model (the options of `buildTinyLlamaGguf` that set its size). */
export interface LlamaShape {
  embedding: number;
  blocks: number;
  heads: number;
  feedForward: number;
  vocabSize: number;
}

/** `100M`, `1.5B`, `250k` or a plain count, as a number of parameters. */
export function parseParamCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kKmMbB]?)$/.exec(text.trim());
  if (!match) throw new Error(`not a parameter count: '${text}' (e.g. 100M, 1.5B)`);
  const scale = { "": 1, k: 1e3, m: 1e6, b: 1e9 }[(match[2] as string).toLowerCase()] as number;
  const count = Math.round(Number(match[1]) * scale);
  if (count < 1e6)
    throw new Error(`a model of ${text} parameters is too small to be compute-bound`);
  return count;
}

/** Parameters of a model of this shape (embeddings and output untied, as llama's). */
export function paramCount({
  embedding: d,
  blocks,
  feedForward: ff,
  vocabSize,
}: LlamaShape): number {
  const block = 4 * d * d + 3 * d * ff + 2 * d;
  return 2 * vocabSize * d + d + blocks * block;
}

/**
 * Llama-like dimensions for about `params` parameters: 64-wide heads, a feed-forward of about
 * 8/3 the embedding (rounded up to 256, as llama's), and the embedding (a multiple of 128) and
 * block count that come closest to the size while keeping llama's ratio of width to depth
 * (embedding ≈ 64 × blocks; Llama 2 7B has 4096 and 32). 100M gives 640 × 12 blocks.
 */
export function llamaShapeFor(params: number, vocabSize = LLAMA_VOCAB): LlamaShape {
  let best: { shape: LlamaShape; score: number } | undefined;
  for (let d = 128; d <= 8192; d += 128) {
    const feedForward = 256 * Math.ceil((8 * d) / 3 / 256);
    const base: LlamaShape = { embedding: d, blocks: 0, heads: d / 64, feedForward, vocabSize };
    const perBlock = paramCount({ ...base, blocks: 1 }) - paramCount(base);
    const blocks = Math.max(1, Math.round((params - paramCount(base)) / perBlock));
    const shape = { ...base, blocks };
    const score =
      Math.abs(Math.log(paramCount(shape) / params)) + 0.5 * Math.abs(Math.log(d / blocks / 64));
    if (!best || score < best.score) best = { shape, score };
  }
  return (best as { shape: LlamaShape }).shape;
}

/**
 * Writes (once; `.tmp/models/<hash>/`) an F16 random-weight llama model of about `params`
 * parameters whose generations never end before `max_tokens` (end-of-sequence, control and byte
 * tokens unreachable), and returns its path and shape.
 */
export function sizedModel(params: number): { path: string; shape: LlamaShape; params: number } {
  const shape = llamaShapeFor(params);
  const label = `${Math.round(paramCount(shape) / 1e6)}M`;
  const path = generatedModel(`random-${label}`, {
    ...shape,
    f16: true,
    neverEnds: true,
    seed: 11,
    name: `TextNLP bench model (${label}, random weights, never ends)`,
  });
  return { path, shape, params: paramCount(shape) };
}
