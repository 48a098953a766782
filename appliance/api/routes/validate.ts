import type { OpenAPIHono } from "@hono/zod-openapi";
import type { CountryCode } from "libphonenumber-js/max";
import { invalidRequest } from "../../../shared/api/errors.ts";
import {
  REFERENCE_METRICS,
  type ValidateRequest,
  type ValidateResponse,
} from "../../../shared/api/schemas/validate.ts";
import { validateRoute } from "../../../shared/api/validate-routes.ts";
import type { RougeType } from "../../../shared/validate/rouge/rouge.ts";
import { runValidation, type ValidationInput } from "../../../shared/validate/run.ts";
import { getDefaultModel } from "../../store/queries/models.ts";
import {
  type ModelFigures,
  perplexityFigures,
  similarityFigures,
  toxicityJudgeFigures,
} from "../../validate/model-metrics.ts";
import { loadWordNet } from "../../validate/wordnet.ts";
import { requireScope } from "../middleware/auth.ts";
import { requestSignal } from "../streaming.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** 400s for requests the schema accepts but the metrics cannot serve. */
function checkReferences(body: ValidateRequest): void {
  const needing = body.metrics.filter((m) => REFERENCE_METRICS.includes(m));
  if (needing.length === 0) return;
  const { references } = body;
  if (references === undefined)
    throw invalidRequest(
      `The metrics ${needing.join(", ")} compare with references: give 'references', one list per hypothesis.`,
      "references",
      "references_required",
    );
  if (references.length !== body.hypotheses.length)
    throw invalidRequest(
      `'references' has ${references.length} lists for ${body.hypotheses.length} hypotheses; give one list per hypothesis.`,
      "references",
      "references_mismatch",
    );
  const empty = references.findIndex((refs) => refs.length === 0);
  if (empty >= 0)
    throw invalidRequest(
      `Hypothesis ${empty} has no reference; ${needing.join(", ")} need at least one.`,
      `references.${empty}`,
      "references_required",
    );
}

/** The request's snake_case options as the metric functions take them. */
function toInput(body: ValidateRequest): ValidationInput {
  const o = body.options ?? {};
  return {
    metrics: body.metrics,
    hypotheses: body.hypotheses,
    references: body.references,
    bleu: o.bleu && {
      tokenize: o.bleu.tokenize,
      lowercase: o.bleu.lowercase,
      smoothMethod: o.bleu.smooth_method,
      smoothValue: o.bleu.smooth_value,
      maxNgramOrder: o.bleu.max_ngram_order,
    },
    chrf: o.chrf && {
      charOrder: o.chrf.char_order,
      wordOrder: o.chrf.word_order,
      beta: o.chrf.beta,
      lowercase: o.chrf.lowercase,
      whitespace: o.chrf.whitespace,
      epsSmoothing: o.chrf.eps_smoothing,
    },
    rouge: o.rouge && {
      // The schema's pattern admits exactly the RougeType names.
      types: o.rouge.types as RougeType[] | undefined,
      useStemmer: o.rouge.use_stemmer,
    },
    meteor: o.meteor,
    distinct: o.distinct,
    pii: o.pii && {
      types: o.pii.types,
      defaultCountry: o.pii.default_country as CountryCode | undefined,
      mask: o.pii.mask,
    },
    injection: o.injection && {
      flagThreshold: o.injection.flag_threshold,
      blockThreshold: o.injection.block_threshold,
    },
    toxicity: o.toxicity,
  };
}

/** The model a model metric runs on: the one asked for, else the appliance's default. */
function modelFor(services: ApplianceServices, asked: string | undefined, metric: string): string {
  if (asked !== undefined) return asked;
  const fallback = getDefaultModel(services.db);
  if (!fallback)
    throw invalidRequest(
      `${metric} needs a local model and none is registered: import one or name options.${metric}.model.`,
      `options.${metric}.model`,
      "model_required",
    );
  return fallback.name;
}

/** Merges a model metric's figures into the response under its name. */
function merge(
  name: string,
  figures: ModelFigures,
  results: Record<string, unknown>[],
  aggregate: Record<string, Record<string, unknown>>,
): void {
  figures.perText.forEach((figure, i) => {
    results[i][name] = figure;
  });
  aggregate[name] = figures.aggregate;
}

/** Mounts `POST /v1/validate` (scope `validate`). */
export function mountValidateRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  services: ApplianceServices,
): void {
  app.use(validateRoute.path, requireScope("validate"));
  app.openapi(validateRoute, async (c) => {
    const body = c.req.valid("json");
    checkReferences(body);
    const input = toInput(body);
    // WordNet is parsed on first use and kept for the life of the process.
    if (body.metrics.includes("meteor")) input.wordnet = await loadWordNet();
    const { results, aggregate } = runValidation(input);
    const options = body.options ?? {};
    if (body.metrics.includes("perplexity")) {
      const model = modelFor(services, options.perplexity?.model, "perplexity");
      const { signal } = requestSignal(c, services.config.inference.requestTimeoutMs);
      const figures = await perplexityFigures(services.engine, model, body.hypotheses, {
        tokenLogprobs: options.perplexity?.token_logprobs === true,
        signal,
      });
      merge("perplexity", figures, results, aggregate);
    }
    if (body.metrics.includes("similarity")) {
      const model = modelFor(services, options.similarity?.model, "similarity");
      const figures = await similarityFigures(
        services.engine,
        model,
        body.hypotheses,
        body.references ?? [],
      );
      merge("similarity", figures, results, aggregate);
    }
    if (body.metrics.includes("toxicity_judge")) {
      const judge = options.toxicity_judge;
      const model = modelFor(services, judge?.model, "toxicity_judge");
      const { signal } = requestSignal(c, services.config.inference.requestTimeoutMs);
      const figures = await toxicityJudgeFigures(services.engine, model, body.hypotheses, {
        threshold: judge?.threshold ?? 0.5,
        signal,
      });
      merge("toxicity_judge", figures, results, aggregate);
    }
    const response: ValidateResponse = {
      object: "validation",
      metrics: body.metrics,
      count: body.hypotheses.length,
      results,
      aggregate,
    };
    return c.json(response, 200);
  });
}
