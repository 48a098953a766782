import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildTinyLlamaGguf } from "../../appliance/inference/demo-model.ts";

/** The repo root. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** The committed test model (MIT; test/fixtures/models/README.md). */
export const STORIES_MODEL = join(ROOT, "test/fixtures/models/stories260K.gguf");

/**
 * Writes a generated random-weight model into `.tmp/models/<sha256 prefix>/<name>.gguf` and
 * returns its path. The folder is named after the bytes, so a change to the generator never meets
 * a stale file, and concurrent test processes write the same file (each its own partial file,
 * renamed into place).
 */
export function generatedModel(
  name: string,
  options: Parameters<typeof buildTinyLlamaGguf>[0] = {},
): string {
  const bytes = buildTinyLlamaGguf(options);
  const dir = join(
    ROOT,
    ".tmp",
    "models",
    createHash("sha256").update(bytes).digest("hex").slice(0, 16),
  );
  const path = join(dir, `${name}.gguf`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
  return path;
}

/**
 * `tiny-random`: random F16 weights whose generations never end before `max_tokens`, so a
 * request stays busy for exactly as many tokens as asked (queues, cancellation, timeouts).
 */
export const TINY_RANDOM_MODEL = generatedModel("tiny-random", {
  f16: true,
  neverEnds: true,
  seed: 7,
  name: "TextNLP test model (tiny, random weights, never ends)",
});

/**
 * `tiny-random` with a 65,536-token context: a request can ask for tens of thousands of tokens,
 * so it outlasts a short deadline on any CPU (a 2,048-token run takes well under 400 ms on a fast
 * one). Pair with `TEXTNLP_CONTEXT_SIZE`.
 */
export const TINY_RANDOM_LONG_MODEL = generatedModel("tiny-random-long", {
  f16: true,
  neverEnds: true,
  seed: 7,
  contextLength: 65_536,
  name: "TextNLP test model (tiny, random weights, never ends, long context)",
});
