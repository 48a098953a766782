/**
 * Reads the line files `textnlp validate` scores, as sacreBLEU does: one segment per line, the
 * hypotheses from `--input` or stdin, each `--ref` file a stream holding one reference per
 * hypothesis line.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../config.ts";

/** Splits a text into lines: `\n` or `\r\n` ends a line; a final newline adds no empty line. */
export function splitLines(text: string): string[] {
  const body = text.replace(/^\uFEFF/, "");
  if (body === "") return [];
  const lines = body.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The lines of a file, or of stdin for `-`; a missing file is a usage error naming it. */
export function readLines(file: string): string[] {
  try {
    return splitLines(readFileSync(file === "-" ? 0 : file, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new UsageError(`cannot read ${file === "-" ? "stdin" : file}: ${why}`);
  }
}

/** Hypotheses and reference streams, checked to have one line per segment. */
export interface LineInput {
  hypotheses: string[];
  /** `references[r][i]`: line i of the r-th `--ref` file (sacreBLEU's reference streams). */
  references: string[][];
}

/**
 * Reads `--input` (default stdin) and the `--ref` files. Stdin left on a terminal is refused
 * rather than waited on. Every reference file must have as many lines as the hypotheses.
 */
export function readLineInput(input: string | undefined, refs: readonly string[]): LineInput {
  if (input === undefined && process.stdin.isTTY)
    throw new UsageError("give the hypotheses on stdin or with --input <file>, one per line");
  const source = input ?? "-";
  const hypotheses = readLines(source);
  const references = refs.map((file) => {
    const lines = readLines(file);
    if (lines.length !== hypotheses.length)
      throw new UsageError(
        `${file} has ${lines.length} lines but ${source === "-" ? "stdin" : source} has ${hypotheses.length}: give one reference per hypothesis line`,
      );
    return lines;
  });
  return { hypotheses, references };
}

/** Segment i's references across the streams (one per `--ref` file). */
export function referencesOf(references: readonly string[][], i: number): string[] {
  return references.map((stream) => stream[i]);
}
