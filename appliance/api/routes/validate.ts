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
import { loadWordNet } from "../../validate/wordnet.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv } from "../types.ts";

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

/** Mounts `POST /v1/validate` (scope `validate`). */
export function mountValidateRoutes(app: OpenAPIHono<ApplianceEnv>): void {
  app.use(validateRoute.path, requireScope("validate"));
  app.openapi(validateRoute, async (c) => {
    const body = c.req.valid("json");
    checkReferences(body);
    const input = toInput(body);
    // WordNet is parsed on first use and kept for the life of the process.
    if (body.metrics.includes("meteor")) input.wordnet = await loadWordNet();
    const { results, aggregate } = runValidation(input);
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
