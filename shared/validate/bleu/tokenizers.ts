/**
 * sacreBLEU's tokenizers (`sacrebleu/tokenizers/`): each maps a detokenized line to a string of
 * space-separated tokens. Regular expressions are applied one after another over the whole line,
 * left to right and without overlap, exactly as Python's `re.sub` does.
 */
import { pySplit } from "../text.ts";

/** Tokenizer names accepted by {@link tokenize}. */
export type BleuTokenizerName = "13a" | "intl" | "char" | "none";

/** The tokenizers, by name. */
export const BLEU_TOKENIZERS: readonly BleuTokenizerName[] = ["13a", "intl", "char", "none"];

// mteval-v13a's language-dependent part (sacrebleu/tokenizers/tokenizer_re.py).
const RE_13A: readonly [RegExp, string][] = [
  [/([{-~[-`\x20-&(-+:-@/])/g, " $1 "],
  // period and comma unless preceded by a digit
  [/([^0-9])([.,])/g, "$1 $2 "],
  // period and comma unless followed by a digit
  [/([.,])([^0-9])/g, " $1 $2"],
  // dash when preceded by a digit
  [/([0-9])(-)/g, "$1 $2 "],
];

// mteval-v14's international tokenization (sacrebleu/tokenizers/tokenizer_intl.py).
const RE_INTL: readonly [RegExp, string][] = [
  [/(\P{N})(\p{P})/gu, "$1 $2 "],
  [/(\p{P})(\P{N})/gu, " $1 $2"],
  [/(\p{S})/gu, " $1 "],
];

function applyAll(line: string, rules: readonly [RegExp, string][]): string {
  let out = line;
  for (const [re, replacement] of rules) out = out.replace(re, replacement);
  return pySplit(out).join(" ");
}

function tokenize13a(line: string): string {
  let out = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (out.includes("&")) {
    out = out
      .replaceAll("&quot;", '"')
      .replaceAll("&amp;", "&")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
  }
  // mteval pads the line with spaces so that punctuation at either end is split off too.
  return applyAll(` ${out} `, RE_13A);
}

/** Tokenizes one line the way sacreBLEU's tokenizer `name` does. */
export function tokenize(line: string, name: BleuTokenizerName): string {
  switch (name) {
    case "13a":
      return tokenize13a(line);
    case "intl":
      return applyAll(line, RE_INTL);
    case "char":
      // Python iterates code points; Array.from does the same for astral characters.
      return Array.from(line).join(" ");
    case "none":
      return line;
  }
}
