import { ApiError } from "../../shared/api/errors.ts";
import type { JobRow } from "../../shared/db/schema/index.ts";
import type { Candidate, PostStep } from "../../shared/synth/postprocess.ts";
import { deriveSeed } from "../../shared/synth/prng.ts";
import { getTemplate } from "../../shared/synth/store/templates.ts";
import { renderPrompt } from "../../shared/synth/template.ts";
import { chatForJson } from "../inference/chat-json.ts";
import type { Engine } from "../inference/engine/index.ts";
import type { Db } from "../store/db.ts";

/**
 * LLM-as-judge: renders the judge template with the sample's variables plus `output`, asks the
 * model for JSON holding the score (grammar-enforced), and returns the score. Seeded per sample,
 * so a resumed job gets the same verdicts.
 */
export async function judgeSample(
  engine: Engine,
  db: Db,
  job: JobRow,
  candidate: Candidate,
  step: Extract<PostStep, { type: "judge" }>,
  index: number,
  signal: AbortSignal,
): Promise<number> {
  const template = await getTemplate(db, job.tenantId, step.template, step.template_version);
  if (!template)
    throw new ApiError(404, `No judge template '${step.template}'.`, {
      code: "template_not_found",
    });
  const field = step.score_field;
  const schema = template.outputSchema ?? {
    type: "object",
    properties: { [field]: { type: "number" } },
    required: [field],
  };
  const { messages } = renderPrompt(template, { ...candidate.variables, output: candidate.output });
  // No max_tokens: a verdict cut short is not JSON; the engine's own budget and retries apply.
  const { max_tokens: _ignored, ...params } = template.params as Record<string, unknown>;
  const value = (await chatForJson(
    engine,
    {
      model: step.model ?? job.model,
      messages,
      ...params,
      seed: deriveSeed(job.seed, "judge", index, candidate.key) & 0x7fffffff,
    },
    schema,
    { signal, priority: "batch" },
  )) as Record<string, unknown> | null;
  const score = value?.[field];
  if (typeof score !== "number" || !Number.isFinite(score)) {
    throw new ApiError(500, `The judge gave no numeric '${field}' for sample ${candidate.key}.`, {
      code: "invalid_model_output",
    });
  }
  return score;
}
