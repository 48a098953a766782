/**
 * The metrics of `textnlp validate` that need no references: diversity of the set and
 * readability / style of each line.
 */
import {
  distinctN,
  duplicateRate,
  ngramEntropy,
  selfBleu,
} from "../../shared/validate/diversity.ts";
import {
  fleschReadingEase,
  lengthStats,
  repetitionRate,
} from "../../shared/validate/readability.ts";
import { mean } from "../../shared/validate/text.ts";
import type { MetricReport } from "./reference-metrics.ts";

/** Distinct-n and n-gram entropy for each order, self-BLEU and the duplicate rate of the lines. */
export function diversityReport(
  texts: readonly string[],
  options: { n: readonly number[]; selfBleuOrder: number },
): MetricReport {
  const json: Record<string, unknown> = { name: "diversity", count: texts.length };
  for (const n of options.n) json[`distinct_${n}`] = distinctN(texts, n);
  for (const n of options.n) json[`entropy_${n}`] = ngramEntropy(texts, n);
  json.self_bleu = selfBleu(texts, { maxNgramOrder: options.selfBleuOrder });
  json.duplicate_rate = duplicateRate(texts);
  const text = [
    ...options.n.map((n) => `distinct-${n} = ${(json[`distinct_${n}`] as number).toFixed(4)}`),
    ...options.n.map((n) => `entropy-${n} = ${(json[`entropy_${n}`] as number).toFixed(4)} bits`),
    `self-BLEU = ${(json.self_bleu as number).toFixed(2)}`,
    `duplicate rate = ${(json.duplicate_rate as number).toFixed(4)}`,
  ].join("\n");
  return { json, text };
}

/**
 * Flesch reading ease and repetition per line, their means, and length statistics (words and
 * characters) of the set; with `sentence`, each line's figures.
 */
export function readabilityReport(texts: readonly string[], sentence: boolean): MetricReport {
  const flesch = texts.map((t) => fleschReadingEase(t));
  const repetition = texts.map((t) => repetitionRate(t));
  const lengths = lengthStats(texts);
  const json: Record<string, unknown> = {
    name: "readability",
    count: texts.length,
    flesch_mean: mean(flesch.map((f) => f.score)),
    repetition_mean: mean(repetition),
    ...lengths,
  };
  let text = [
    `Flesch reading ease = ${(json.flesch_mean as number).toFixed(2)} (mean of ${texts.length} lines)`,
    `repetition = ${(json.repetition_mean as number).toFixed(4)}`,
    `words per line: mean ${lengths.words.mean.toFixed(2)} median ${lengths.words.median} min ${lengths.words.min} max ${lengths.words.max}`,
    `characters per line: mean ${lengths.characters.mean.toFixed(2)} median ${lengths.characters.median} min ${lengths.characters.min} max ${lengths.characters.max}`,
  ].join("\n");
  if (sentence) {
    json.sentences = flesch.map((f, i) => ({ flesch: f, repetition: repetition[i] }));
    text = flesch
      .map((f, i) => `Flesch = ${f.score.toFixed(2)}\trepetition = ${repetition[i].toFixed(4)}`)
      .join("\n");
  }
  return { json, text };
}
