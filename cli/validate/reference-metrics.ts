/**
 * The reference metrics of `textnlp validate` (BLEU, chrF, ROUGE, METEOR) over line files, each
 * returning every figure (for `--json`) and the line sacreBLEU's text output prints.
 */
import {
  type BleuOptions,
  type BleuScore,
  corpusBleu,
  sentenceBleu,
} from "../../shared/validate/bleu/sacrebleu.ts";
import { type ChrfOptions, corpusChrf, sentenceChrf } from "../../shared/validate/chrf.ts";
import { type MeteorOptions, meteorScore } from "../../shared/validate/meteor.ts";
import {
  createRougeScorer,
  meanRouge,
  type RougeScore,
  type RougeType,
  scoreMulti,
} from "../../shared/validate/rouge/rouge.ts";
import { mean } from "../../shared/validate/text.ts";
import type { WordNet } from "../../shared/validate/wordnet.ts";
import { type LineInput, referencesOf } from "./lines.ts";

/** What a metric hands back: all figures, and the text printed without `--json`. */
export interface MetricReport {
  json: Record<string, unknown>;
  text: string;
}

/** sacreBLEU's `BLEUScore.format()`: `48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = …)`. */
export function formatBleu(score: Omit<BleuScore, "signature">): string {
  const ratio = score.refLen === 0 ? 0 : score.sysLen / score.refLen;
  return `${score.score.toFixed(2)} ${score.precisions.map((p) => p.toFixed(1)).join("/")} (BP = ${score.bp.toFixed(3)} ratio = ${ratio.toFixed(3)} hyp_len = ${score.sysLen} ref_len = ${score.refLen})`;
}

/**
 * Corpus BLEU over the reference streams, printed with its signature as sacreBLEU does
 * (`BLEU|nrefs:1|…|version:2.4.3 = …`); with `sentence`, each line's sentence BLEU too.
 */
export function bleuReport(
  input: LineInput,
  options: BleuOptions,
  sentence: boolean,
): MetricReport {
  const corpus = corpusBleu(input.hypotheses, input.references, options);
  const json: Record<string, unknown> = { name: "BLEU", ...corpus };
  let text = `BLEU|${corpus.signature} = ${formatBleu(corpus)}`;
  if (sentence) {
    const sentences = input.hypotheses.map((h, i) =>
      sentenceBleu(h, referencesOf(input.references, i), options),
    );
    json.sentences = sentences;
    text = sentences.map((s) => `BLEU = ${formatBleu(s)}`).join("\n");
  }
  return { json, text };
}

/** Corpus chrF / chrF++ (`chrF2|nrefs:1|… = 59.73`); with `sentence`, each line's too. */
export function chrfReport(
  input: LineInput,
  options: ChrfOptions,
  sentence: boolean,
): MetricReport {
  const corpus = corpusChrf(input.hypotheses, input.references, options);
  const json: Record<string, unknown> = { ...corpus };
  let text = `${corpus.name}|${corpus.signature} = ${corpus.score.toFixed(2)}`;
  if (sentence) {
    const sentences = input.hypotheses.map((h, i) =>
      sentenceChrf(h, referencesOf(input.references, i), options),
    );
    json.sentences = sentences.map(({ score }) => ({ score }));
    text = sentences.map((s) => `${s.name} = ${s.score.toFixed(2)}`).join("\n");
  }
  return { json, text };
}

const formatRouge = (type: string, s: RougeScore) =>
  `${type} P = ${s.precision.toFixed(4)} R = ${s.recall.toFixed(4)} F = ${s.fmeasure.toFixed(4)}`;

/**
 * ROUGE as rouge-score's `score_multi` per line (the best reference per type); the set figure
 * is the mean of the lines' figures (its BootstrapAggregator's mid value without resampling).
 */
export function rougeReport(
  input: LineInput,
  options: { types: readonly RougeType[]; useStemmer: boolean },
  sentence: boolean,
): MetricReport {
  const scorer = createRougeScorer(options.types, { useStemmer: options.useStemmer });
  const perLine = input.hypotheses.map((h, i) =>
    scoreMulti(scorer, referencesOf(input.references, i), h),
  );
  const aggregate = meanRouge(options.types, perLine);
  const json: Record<string, unknown> = {
    name: "ROUGE",
    stemmer: options.useStemmer,
    ...aggregate,
  };
  let text = options.types.map((t) => formatRouge(t, aggregate[t])).join("\n");
  if (sentence) {
    json.sentences = perLine;
    text = perLine.map((s) => options.types.map((t) => formatRouge(t, s[t])).join("\t")).join("\n");
  }
  return { json, text };
}

/**
 * METEOR as NLTK's `meteor_score` per line (whitespace tokens, as NLTK's tests split them; the
 * best reference), and their mean: NLTK has no corpus METEOR.
 */
export function meteorReport(
  input: LineInput,
  wordnet: WordNet,
  options: Omit<MeteorOptions, "preprocess">,
  sentence: boolean,
): MetricReport {
  const split = (t: string) => t.split(/\s+/).filter((w) => w.length > 0);
  const scores = input.hypotheses.map((h, i) =>
    meteorScore(referencesOf(input.references, i).map(split), split(h), wordnet, options),
  );
  const json: Record<string, unknown> = { name: "METEOR", score: mean(scores) };
  let text = `METEOR = ${mean(scores).toFixed(4)}`;
  if (sentence) {
    json.sentences = scores.map((score) => ({ score }));
    text = scores.map((s) => `METEOR = ${s.toFixed(4)}`).join("\n");
  }
  return { json, text };
}
