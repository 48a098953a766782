import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelRow } from "../../shared/db/schema/index.ts";
import { mulberry32 } from "../../shared/synth/prng.ts";
import { encodeGguf, type GgufTensor } from "./gguf-writer.ts";
import type { ModelRegistry } from "./registry.ts";

/** The name the demo model is registered under. */
export const DEMO_MODEL_NAME = "demo-tiny-random";

const WORDS =
  `the a an and or but of to in on at for with from by is was are were be been it he she they we you
i my your his her their our this that these those there here what which who when where why how not no yes
one two three day time story cat dog bird tree house sun moon star sky water happy sad little big good bad
said went saw had has have do did can could will would play run jump look find make like love want see go
come friend girl boy mom dad ball toy park garden flower red blue green small very then so once upon named`
    .split(/\s+/)
    .filter(Boolean);

/** Shape and kind of a generated model. */
export interface TinyLlamaOptions {
  embedding?: number;
  blocks?: number;
  heads?: number;
  feedForward?: number;
  contextLength?: number;
  /**
   * Tokens in the vocabulary: the control, byte and word pieces, then made-up letter pieces up
   * to this many (a real model's 32,000 makes the output layer and sampling cost what they do
   * there). Default: just the word pieces (about 600).
   */
  vocabSize?: number;
  /** Seed of the random weights: the same options give the same bytes. */
  seed?: number;
  /** Store the matrices as F16 (`general.file_type` MOSTLY_F16), norms as F32, as converters do. */
  f16?: boolean;
  /**
   * Make end-of-sequence (and every control and byte token) unreachable: every token embedding
   * carries one large shared component that survives the (small) blocks and the final norm, and
   * those tokens' output rows point the other way, so their logits are about -160 whatever the
   * context. Generations then always run to exactly `max_tokens` whole pieces, which tests of
   * queues, cancellation, timeouts and usage counts rely on.
   */
  neverEnds?: boolean;
  /** Name written into `general.name`. */
  name?: string;
}

/**
 * A tiny llama-architecture model with random weights and a small SentencePiece-style vocabulary
 * (byte fallback, so any text tokenizes). Its output is gibberish: it exists to exercise the
 * whole serving path without downloading weights.
 */
export function buildTinyLlamaGguf(options: TinyLlamaOptions = {}): Uint8Array {
  const {
    embedding: n = 64,
    blocks = 2,
    heads = 4,
    feedForward: ff = 128,
    contextLength = 2048,
    vocabSize = 0,
    seed = 42,
    f16 = false,
    neverEnds = false,
    name = "TextNLP demo (tiny, random weights)",
  } = options;
  const tokens = ["<unk>", "<s>", "</s>"];
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(6);
  }
  const pieces = new Set<string>(["▁"]);
  for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,!?'\"") pieces.add(ch);
  for (const word of WORDS) {
    pieces.add(`▁${word}`);
    pieces.add(`▁${word[0]?.toUpperCase()}${word.slice(1)}`);
  }
  for (let i = 0; pieces.size + tokens.length < vocabSize; i++) pieces.add(madeUpPiece(i));
  const scores = tokens.map(() => 0);
  for (const piece of pieces) {
    tokens.push(piece);
    types.push(1);
    // Longer pieces score higher so SentencePiece prefers whole words.
    scores.push(piece.length - 10);
  }
  const rand = mulberry32(seed);
  const vocab = tokens.length;
  const matrix = f16 ? ("f16" as const) : ("f32" as const);
  const random = (count: number, scale = 0.08) => {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = (rand() * 2 - 1) * scale;
    return data;
  };
  const ones = (count: number) => new Float32Array(count).fill(1);
  const tokenEmbedding = random(n * vocab, 0.5);
  const output = random(n * vocab, 0.5);
  if (neverEnds) {
    // Component 0 of every embedding dominates the residual stream (blocks add ~0.1 each), so
    // the normed state is ≈ √n on it; the control tokens (end-of-sequence among them) and the
    // byte tokens score ≈ √n × -20 there. Only whole pieces are sampled, so no generation ends
    // early or stops on half a UTF-8 character that a detokenizer would hold back.
    const firstPiece = 3 + 256;
    for (let t = 0; t < vocab; t++) {
      tokenEmbedding[t * n] = 100;
      output[t * n] = t < firstPiece ? -20 : 0;
    }
  }
  const tensors: GgufTensor[] = [
    { name: "token_embd.weight", dims: [n, vocab], data: tokenEmbedding, type: matrix },
    { name: "output_norm.weight", dims: [n], data: ones(n) },
    { name: "output.weight", dims: [n, vocab], data: output, type: matrix },
  ];
  for (let i = 0; i < blocks; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [n], data: ones(n) },
      { name: `blk.${i}.attn_q.weight`, dims: [n, n], data: random(n * n), type: matrix },
      { name: `blk.${i}.attn_k.weight`, dims: [n, n], data: random(n * n), type: matrix },
      { name: `blk.${i}.attn_v.weight`, dims: [n, n], data: random(n * n), type: matrix },
      { name: `blk.${i}.attn_output.weight`, dims: [n, n], data: random(n * n), type: matrix },
      { name: `blk.${i}.ffn_norm.weight`, dims: [n], data: ones(n) },
      { name: `blk.${i}.ffn_gate.weight`, dims: [n, ff], data: random(n * ff), type: matrix },
      { name: `blk.${i}.ffn_up.weight`, dims: [n, ff], data: random(n * ff), type: matrix },
      { name: `blk.${i}.ffn_down.weight`, dims: [ff, n], data: random(ff * n), type: matrix },
    );
  }
  return encodeGguf(
    {
      "general.architecture": { type: "string", value: "llama" },
      "general.name": { type: "string", value: name },
      "general.file_type": { type: "u32", value: f16 ? 1 : 0 },
      "llama.context_length": { type: "u32", value: contextLength },
      "llama.embedding_length": { type: "u32", value: n },
      "llama.block_count": { type: "u32", value: blocks },
      "llama.feed_forward_length": { type: "u32", value: ff },
      "llama.attention.head_count": { type: "u32", value: heads },
      "llama.attention.head_count_kv": { type: "u32", value: heads },
      "llama.rope.dimension_count": { type: "u32", value: n / heads },
      "llama.attention.layer_norm_rms_epsilon": { type: "f32", value: 1e-5 },
      "llama.vocab_size": { type: "u32", value: vocab },
      "tokenizer.ggml.model": { type: "string", value: "llama" },
      "tokenizer.ggml.tokens": { type: "string[]", value: tokens },
      "tokenizer.ggml.scores": { type: "f32[]", value: scores },
      "tokenizer.ggml.token_type": { type: "i32[]", value: types },
      "tokenizer.ggml.bos_token_id": { type: "u32", value: 1 },
      "tokenizer.ggml.eos_token_id": { type: "u32", value: 2 },
      "tokenizer.ggml.unknown_token_id": { type: "u32", value: 0 },
    },
    tensors,
  );
}

/** The `i`th of a sequence of distinct letter strings (two letters and up), every other one a word start. */
function madeUpPiece(i: number): string {
  let letters = "";
  for (let n = (i >> 1) + 26; n > 0; n = Math.floor(n / 26))
    letters += String.fromCharCode(97 + (n % 26));
  return i % 2 ? letters : `▁${letters}`;
}

/** Writes the demo model into `dir` (once) and registers it as the default. */
export async function ensureDemoModel(registry: ModelRegistry, dir: string): Promise<ModelRow> {
  const path = join(dir, `${DEMO_MODEL_NAME}.gguf`);
  if (!existsSync(path)) {
    await mkdir(dir, { recursive: true });
    const partial = `${path}.partial`;
    await writeFile(partial, buildTinyLlamaGguf());
    await rename(partial, path);
  }
  return registry.registerInPlace(path, { name: DEMO_MODEL_NAME, makeDefault: true, demo: true });
}
