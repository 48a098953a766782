/**
 * Runs a chosen set of metrics and guards over texts and gathers per-text and aggregate
 * figures: what `POST /v1/validate` answers, kept here so every runtime computes the same.
 */
import type { CountryCode } from "libphonenumber-js/max";
import { type BleuOptions, corpusBleu, sentenceBleu } from "./bleu/sacrebleu.ts";
import { type ChrfOptions, corpusChrf, sentenceChrf } from "./chrf.ts";
import { distinctN } from "./diversity.ts";
import { detectInjection, type InjectionOptions } from "./guards/injection.ts";
import { maskPii, type PiiType } from "./guards/pii/detect.ts";
import { createToxicityScorer } from "./guards/toxicity.ts";
import { type MeteorOptions, meteorScore } from "./meteor.ts";
import { fleschReadingEase, lengthStats, repetitionRate } from "./readability.ts";
import { createRougeScorer, meanRouge, type RougeType, scoreMulti } from "./rouge/rouge.ts";
import { mean } from "./text.ts";
import type { WordNet } from "./wordnet.ts";

/** What to compute. References are per hypothesis: `references[i]` belong to `hypotheses[i]`. */
export interface ValidationInput {
  metrics: readonly string[];
  hypotheses: readonly string[];
  references?: readonly (readonly string[])[];
  bleu?: BleuOptions;
  chrf?: ChrfOptions;
  rouge?: { types?: readonly RougeType[]; useStemmer?: boolean };
  meteor?: Omit<MeteorOptions, "preprocess">;
  distinct?: { n?: readonly number[] };
  pii?: { types?: readonly PiiType[]; defaultCountry?: CountryCode; mask?: boolean };
  injection?: InjectionOptions;
  toxicity?: { threshold?: number; allow?: readonly string[] };
  /** Needed by `meteor`. */
  wordnet?: WordNet;
}

/** Per-text and aggregate figures, by metric name. */
export interface ValidationOutput {
  results: ({ index: number } & Record<string, unknown>)[];
  aggregate: Record<string, Record<string, unknown>>;
}

/**
 * sacreBLEU's corpus functions take reference streams (stream r holds the r-th reference of every
 * segment); the API takes references per hypothesis. A segment with fewer references gets null.
 */
function referenceStreams(
  count: number,
  refsOf: (i: number) => readonly string[],
): (string | null)[][] {
  let width = 0;
  for (let i = 0; i < count; i++) width = Math.max(width, refsOf(i).length);
  return Array.from({ length: width }, (_, r) =>
    Array.from({ length: count }, (_, i) => refsOf(i)[r] ?? null),
  );
}

/**
 * Computes the metrics asked for. The caller has checked the input (references present and of
 * the right length where a metric needs them, WordNet for METEOR); this throws if not.
 */
export function runValidation(input: ValidationInput): ValidationOutput {
  const { hypotheses, references = [] } = input;
  const asked = new Set(input.metrics);
  const results = hypotheses.map(
    (_, index) => ({ index }) as { index: number } & Record<string, unknown>,
  );
  const aggregate: Record<string, Record<string, unknown>> = {};
  const refsOf = (i: number) => references[i] ?? [];

  if (asked.has("bleu")) {
    const corpus = corpusBleu(hypotheses, referenceStreams(hypotheses.length, refsOf), input.bleu);
    aggregate.bleu = { ...corpus };
    hypotheses.forEach((h, i) => {
      results[i].bleu = sentenceBleu(h, refsOf(i), input.bleu).score;
    });
  }
  if (asked.has("chrf")) {
    aggregate.chrf = {
      ...corpusChrf(hypotheses, referenceStreams(hypotheses.length, refsOf), input.chrf),
    };
    hypotheses.forEach((h, i) => {
      results[i].chrf = sentenceChrf(h, refsOf(i), input.chrf).score;
    });
  }
  if (asked.has("rouge")) {
    const types = input.rouge?.types ?? (["rouge1", "rouge2", "rougeL", "rougeLsum"] as const);
    const scorer = createRougeScorer(types, { useStemmer: input.rouge?.useStemmer });
    const perText = hypotheses.map((h, i) => scoreMulti(scorer, refsOf(i), h));
    perText.forEach((scores, i) => {
      results[i].rouge = scores;
    });
    aggregate.rouge = meanRouge(types, perText);
  }
  if (asked.has("meteor")) {
    const { wordnet } = input;
    if (!wordnet) throw new Error("METEOR needs WordNet");
    // NLTK's meteor_score takes pre-tokenized input; whitespace splitting is what its tests use.
    const split = (t: string) => t.split(/\s+/).filter((w) => w.length > 0);
    const scores = hypotheses.map((h, i) =>
      meteorScore(refsOf(i).map(split), split(h), wordnet, input.meteor),
    );
    scores.forEach((s, i) => {
      results[i].meteor = s;
    });
    aggregate.meteor = { mean: mean(scores) };
  }
  if (asked.has("distinct")) {
    const ns = input.distinct?.n ?? [1, 2];
    aggregate.distinct = Object.fromEntries(
      ns.map((n) => [`distinct_${n}`, distinctN(hypotheses, n)]),
    );
  }
  if (asked.has("readability")) {
    const flesch = hypotheses.map((h) => fleschReadingEase(h));
    hypotheses.forEach((h, i) => {
      results[i].readability = { flesch: flesch[i], repetition: repetitionRate(h) };
    });
    aggregate.readability = {
      flesch_mean: mean(flesch.map((f) => f.score)),
      repetition_mean: mean(hypotheses.map((h) => repetitionRate(h))),
      ...lengthStats(hypotheses),
    };
  }
  if (asked.has("pii")) {
    const byType: Record<string, number> = {};
    let withPii = 0;
    hypotheses.forEach((h, i) => {
      const { text, hits } = maskPii(h, {
        types: input.pii?.types,
        defaultCountry: input.pii?.defaultCountry,
      });
      for (const hit of hits) byType[hit.type] = (byType[hit.type] ?? 0) + 1;
      if (hits.length > 0) withPii++;
      results[i].pii = input.pii?.mask ? { hits, masked: text } : { hits };
    });
    aggregate.pii = { texts_with_pii: withPii, hits_by_type: byType };
  }
  if (asked.has("injection")) {
    const verdicts = hypotheses.map((h) => detectInjection(h, input.injection));
    verdicts.forEach((v, i) => {
      results[i].injection = v;
    });
    aggregate.injection = {
      mean_score: mean(verdicts.map((v) => v.score)),
      flagged: verdicts.filter((v) => v.verdict === "flag").length,
      blocked: verdicts.filter((v) => v.verdict === "block").length,
    };
  }
  if (asked.has("toxicity")) {
    const score = createToxicityScorer({ allow: input.toxicity?.allow });
    const threshold = input.toxicity?.threshold ?? 0.3;
    const scored = hypotheses.map((h) => score(h));
    scored.forEach((s, i) => {
      results[i].toxicity = { ...s, flagged: s.score >= threshold };
    });
    aggregate.toxicity = {
      mean_score: mean(scored.map((s) => s.score)),
      flagged: scored.filter((s) => s.score >= threshold).length,
      threshold,
    };
  }
  return { results, aggregate };
}
