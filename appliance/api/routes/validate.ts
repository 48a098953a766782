import type { OpenAPIHono } from "@hono/zod-openapi";
import type { CountryCode } from "libphonenumber-js/max";
import { ApiError, invalidRequest } from "../../../shared/api/errors.ts";
import {
  MAX_DATASET_SAMPLES,
  REFERENCE_METRICS,
  type ValidateRequest,
  type ValidateResponse,
  type ValidationRun,
} from "../../../shared/api/schemas/validate.ts";
import {
  getValidationRunRoute,
  listValidationRunsRoute,
  validateRoute,
} from "../../../shared/api/validate-routes.ts";
import type { JobRow, SampleRow, ValidationRunRow } from "../../../shared/db/schema/index.ts";
import { finishedDataset } from "../../../shared/synth/routes/datasets.ts";
import { jobModelOfSample, jobModels } from "../../../shared/synth/store/jobs.ts";
import type { RougeType } from "../../../shared/validate/rouge/rouge.ts";
import { runValidation, type ValidationInput } from "../../../shared/validate/run.ts";
import { getDefaultModel } from "../../store/queries/models.ts";
import {
  getValidationRun,
  listValidationRuns,
  recordValidationRun,
  validationResultsOf,
} from "../../store/queries/validations.ts";
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
import { datasetSamples } from "./datasets.ts";

/** 400s for requests the schema accepts but the metrics cannot serve. */
function checkReferences(body: ValidateRequest, texts: readonly string[]): void {
  const needing = body.metrics.filter((m) => REFERENCE_METRICS.includes(m));
  if (needing.length === 0) return;
  const { references } = body;
  if (references === undefined)
    throw invalidRequest(
      `The metrics ${needing.join(", ")} compare with references: give 'references', one list per hypothesis.`,
      "references",
      "references_required",
    );
  if (references.length !== texts.length)
    throw invalidRequest(
      `'references' has ${references.length} lists for ${texts.length} hypotheses; give one list per hypothesis.`,
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
function toInput(body: ValidateRequest, texts: readonly string[]): ValidationInput {
  const o = body.options ?? {};
  return {
    metrics: body.metrics,
    hypotheses: texts,
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

/**
 * The texts a request scores: its hypotheses, or a finished dataset's samples (no references
 * exist for those, so reference metrics are refused).
 */
async function textsOf(
  services: ApplianceServices,
  body: ValidateRequest,
  tenantId: string,
): Promise<{ texts: string[]; samples?: SampleRow[]; job?: JobRow }> {
  if (body.dataset === undefined) {
    const texts = body.hypotheses as string[];
    checkReferences(body, texts);
    return { texts };
  }
  const needing = body.metrics.filter((m) => REFERENCE_METRICS.includes(m));
  if (needing.length > 0 || body.references !== undefined)
    throw invalidRequest(
      `A dataset has no references: ${needing.join(", ") || "references"} go with 'hypotheses'.`,
      needing.length > 0 ? "metrics" : "references",
      "references_unavailable",
    );
  const { job } = await finishedDataset(services.db, body.dataset, tenantId);
  const samples = datasetSamples(services.db, job);
  if (samples.length === 0)
    throw invalidRequest(`Dataset '${body.dataset}' has no samples.`, "dataset", "empty_dataset");
  if (samples.length > MAX_DATASET_SAMPLES)
    throw invalidRequest(
      `Dataset '${body.dataset}' has ${samples.length} samples; at most ${MAX_DATASET_SAMPLES} are validated at once.`,
      "dataset",
      "dataset_too_large",
    );
  return { texts: samples.map((s) => s.output ?? ""), samples, job };
}

/**
 * The figures of each model of a comparison job, side by side: its samples' indexes among the
 * validated ones, run through the same metrics (model metrics from their per-text figures,
 * without asking a model again); undefined for a job on one model.
 */
function figuresByModel(
  job: JobRow,
  samples: readonly SampleRow[],
  input: ValidationInput,
  modelFigures: Record<string, ModelFigures>,
): ValidateResponse["by_model"] {
  if (jobModels(job).length < 2) return undefined;
  const groups = new Map<string, number[]>(jobModels(job).map((m) => [m.name, []]));
  samples.forEach((s, i) => {
    groups.get(jobModelOfSample(job, s.sampleIndex).name)?.push(i);
  });
  return Object.fromEntries(
    [...groups].map(([name, indexes]) => {
      const pick = <T>(list: readonly T[] | undefined) => list && indexes.map((i) => list[i] as T);
      // A model none of whose samples is in the dataset (all failed or dropped) has no figures.
      if (indexes.length === 0) return [name, { samples: 0, aggregate: {} }];
      const { aggregate } = runValidation({
        ...input,
        hypotheses: pick(input.hypotheses) as string[],
        references: pick(input.references),
      });
      for (const [metric, figures] of Object.entries(modelFigures))
        aggregate[metric] = figures.aggregateOf(indexes);
      return [name, { samples: indexes.length, aggregate }];
    }),
  );
}

/**
 * Mounts `POST /v1/validate` (scope `validate`) and the recorded runs of datasets,
 * `GET /v1/datasets/{id}/validations[/{run}]` (scopes `datasets` and `validate`).
 */
export function mountValidateRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  services: ApplianceServices,
): void {
  app.use(validateRoute.path, requireScope("validate"));
  app.use("/v1/datasets/:id/validations", requireScope("validate"));
  app.use("/v1/datasets/:id/validations/*", requireScope("validate"));
  app.openapi(validateRoute, async (c) => {
    const body = c.req.valid("json");
    const tenantId = c.get("principal").tenantId;
    const { texts, samples, job } = await textsOf(services, body, tenantId);
    const input = toInput(body, texts);
    // WordNet is parsed on first use and kept for the life of the process.
    if (body.metrics.includes("meteor")) input.wordnet = await loadWordNet();
    const { results, aggregate } = runValidation(input);
    const options = body.options ?? {};
    const modelFigures: Record<string, ModelFigures> = {};
    if (body.metrics.includes("perplexity")) {
      const model = modelFor(services, options.perplexity?.model, "perplexity");
      const { signal } = requestSignal(c, services.config.inference.requestTimeoutMs);
      const figures = await perplexityFigures(services.engine, model, texts, {
        tokenLogprobs: options.perplexity?.token_logprobs === true,
        signal,
      });
      merge("perplexity", figures, results, aggregate);
      modelFigures.perplexity = figures;
    }
    if (body.metrics.includes("similarity")) {
      const model = modelFor(services, options.similarity?.model, "similarity");
      const figures = await similarityFigures(services.engine, model, texts, body.references ?? []);
      merge("similarity", figures, results, aggregate);
      modelFigures.similarity = figures;
    }
    if (body.metrics.includes("toxicity_judge")) {
      const judge = options.toxicity_judge;
      const model = modelFor(services, judge?.model, "toxicity_judge");
      const { signal } = requestSignal(c, services.config.inference.requestTimeoutMs);
      const figures = await toxicityJudgeFigures(services.engine, model, texts, {
        threshold: judge?.threshold ?? 0.5,
        signal,
      });
      merge("toxicity_judge", figures, results, aggregate);
      modelFigures.toxicity_judge = figures;
    }
    const response: ValidateResponse = {
      object: "validation",
      metrics: body.metrics,
      count: texts.length,
      results,
      aggregate,
    };
    if (samples && job && body.dataset !== undefined) {
      const byModel = figuresByModel(job, samples, input, modelFigures);
      if (byModel) response.by_model = byModel;
      // Recorded with every figure, per sample and for the dataset, in one transaction.
      const run = recordValidationRun(
        services.db,
        {
          tenantId,
          jobId: body.dataset,
          metrics: body.metrics,
          options: options as Record<string, unknown>,
          aggregate,
          samples: samples.length,
          byModel: byModel ?? null,
        },
        results.map(({ index, ...figures }) => ({ sampleId: samples[index].id, figures })),
      );
      response.run = run.id;
      response.dataset = body.dataset;
      response.results = results.map((r) => ({
        ...r,
        row: samples[r.index].rowIndex,
        sample: samples[r.index].sampleIndex,
      }));
    }
    return c.json(response, 200);
  });

  const toRun = (run: ValidationRunRow): ValidationRun => ({
    id: run.id,
    object: "validation.run",
    dataset: run.jobId,
    metrics: run.metrics,
    samples: run.samples,
    aggregate: run.aggregate,
    by_model: run.byModel ?? null,
    created_at: Math.floor(run.createdAt.getTime() / 1000),
  });

  app.openapi(listValidationRunsRoute, async (c) => {
    const { id } = c.req.valid("param");
    await services.jobs.snapshot(id, c.get("principal").tenantId);
    return c.json(
      { object: "list" as const, data: listValidationRuns(services.db, id).map(toRun) },
      200,
    );
  });

  app.openapi(getValidationRunRoute, async (c) => {
    const { id, run: runId } = c.req.valid("param");
    await services.jobs.snapshot(id, c.get("principal").tenantId);
    const run = getValidationRun(services.db, id, runId);
    if (!run)
      throw new ApiError(404, `Dataset '${id}' has no validation run '${runId}'.`, {
        param: "run",
        code: "validation_run_not_found",
      });
    const results = validationResultsOf(services.db, run.id).map((r) => ({
      row: r.row,
      sample: r.sample,
      ...r.figures,
    }));
    return c.json({ ...toRun(run), results }, 200);
  });
}
