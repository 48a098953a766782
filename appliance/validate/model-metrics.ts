/**
 * The metrics of `POST /v1/validate` that need a local model: perplexity from the model's token
 * probabilities, and semantic similarity from its embeddings.
 *
 * Similarity is labelled with its method. BERTScore's greedy matching needs one vector per
 * token; node-llama-cpp 3.21.1's embedding context returns one pooled vector per text (no
 * per-token output), so the appliance reports `sentence-embedding-cosine`: the cosine of the
 * hypothesis' and each reference's embeddings, the best reference kept.
 *
 * The toxicity judge asks a model to rate each text on the rubric of
 * `shared/validate/guards/toxicity-rubric.ts` (greedy decoding, answer held to the rubric's
 * schema by a grammar), beside the lexicon baseline of `toxicity`.
 */
import { ApiError, invalidRequest } from "../../shared/api/errors.ts";
import { cosine } from "../../shared/validate/embedding.ts";
import {
  readToxicityVerdict,
  TOXICITY_RUBRIC_SCHEMA,
  type ToxicityJudgement,
  toxicityRubricMessages,
} from "../../shared/validate/guards/toxicity-rubric.ts";
import { chatForJson } from "../inference/chat-json.ts";
import type { Engine } from "../inference/engine/index.ts";
import { type PerplexityResult, perplexityOf } from "./perplexity.ts";

/** How `similarity` was computed. */
export const SIMILARITY_METHOD = "sentence-embedding-cosine";

/** Per-text and aggregate figures, merged into the response by metric name. */
export interface ModelFigures {
  perText: Record<string, unknown>[];
  aggregate: Record<string, unknown>;
  /** The aggregate of some of the texts alone (by index), without asking the model again. */
  aggregateOf(indexes: readonly number[]): Record<string, unknown>;
}

/**
 * Perplexity of each text, on one sequence. The aggregate is the corpus perplexity
 * exp(−Σ log p / Σ tokens) (token-weighted, as language-model evaluations report it) beside the
 * mean of the texts' perplexities.
 */
export async function perplexityFigures(
  engine: Engine,
  model: string,
  texts: readonly string[],
  options: { tokenLogprobs: boolean; signal: AbortSignal },
): Promise<ModelFigures> {
  const results = await engine.withSequence(model, options.signal, async (lease) => {
    const out: PerplexityResult[] = [];
    for (const [i, text] of texts.entries())
      out.push(await perplexityOf(lease.model, lease.sequence, text, `hypotheses.${i}`));
    return { model: lease.row.name, out };
  });
  const aggregateOf = (indexes: readonly number[]) => {
    const scored = indexes
      .map((i) => results.out[i] as PerplexityResult)
      .filter((r) => r.perplexity !== null);
    const tokens = scored.reduce((s, r) => s + r.tokens, 0);
    const logprob = scored.reduce((s, r) => s + (r.meanLogprob ?? 0) * r.tokens, 0);
    return {
      model: results.model,
      perplexity: tokens === 0 ? null : Math.exp(-logprob / tokens),
      mean_perplexity:
        scored.length === 0
          ? null
          : scored.reduce((s, r) => s + (r.perplexity as number), 0) / scored.length,
      tokens,
    };
  };
  return {
    perText: results.out.map((r) => ({
      perplexity: r.perplexity,
      mean_logprob: r.meanLogprob,
      tokens: r.tokens,
      ...(options.tokenLogprobs ? { token_logprobs: r.tokenLogprobs } : {}),
    })),
    aggregate: aggregateOf(results.out.map((_, i) => i)),
    aggregateOf,
  };
}

/** Semantic similarity of each hypothesis to its references (the best one). */
export async function similarityFigures(
  engine: Engine,
  model: string,
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
): Promise<ModelFigures> {
  const texts = hypotheses.flatMap((h, i) => [h, ...references[i]]);
  if (texts.some((t) => t.length === 0))
    throw invalidRequest("similarity cannot embed an empty text.", "hypotheses", "empty_text");
  const { model: name, vectors } = await engine.embed({ model, input: texts });
  let at = 0;
  const perText = hypotheses.map((_, i) => {
    const hypothesis = vectors[at++];
    const perReference = references[i].map(() => cosine(hypothesis, vectors[at++]));
    return {
      score: Math.max(...perReference),
      per_reference: perReference,
      method: SIMILARITY_METHOD,
    };
  });
  const aggregateOf = (indexes: readonly number[]) => ({
    model: name,
    method: SIMILARITY_METHOD,
    mean: indexes.reduce((s, i) => s + (perText[i]?.score ?? 0), 0) / indexes.length,
  });
  return { perText, aggregate: aggregateOf(perText.map((_, i) => i)), aggregateOf };
}

/** Toxicity of each text as a judge model rates it on the rubric. */
export async function toxicityJudgeFigures(
  engine: Engine,
  model: string,
  texts: readonly string[],
  options: { threshold: number; signal: AbortSignal },
): Promise<ModelFigures> {
  const perText: ToxicityJudgement[] = [];
  let name = model;
  for (const [i, text] of texts.entries()) {
    const answer = await chatForJson(
      engine,
      { model, messages: toxicityRubricMessages(text), temperature: 0, seed: 0 },
      TOXICITY_RUBRIC_SCHEMA as unknown as Record<string, unknown>,
      { signal: options.signal, onStart: (served) => (name = served.name) },
    );
    try {
      perText.push(readToxicityVerdict(answer, options.threshold));
    } catch (err) {
      throw new ApiError(
        502,
        `The judge model's verdict on text ${i} is unusable: ${(err as Error).message}`,
        {
          param: `hypotheses.${i}`,
          code: "invalid_model_output",
        },
      );
    }
  }
  const aggregateOf = (indexes: readonly number[]) => {
    const judged = indexes.map((i) => perText[i] as ToxicityJudgement);
    return {
      model: name,
      threshold: options.threshold,
      mean_score: judged.reduce((s, j) => s + j.score, 0) / judged.length,
      flagged: judged.filter((j) => j.flagged).length,
    };
  };
  return {
    perText: perText.map((j) => ({ ...j })),
    aggregate: aggregateOf(perText.map((_, i) => i)),
    aggregateOf,
  };
}
