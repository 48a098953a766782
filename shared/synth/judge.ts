/**
 * Post-processing of a whole job, on either half: every successful sample through the job's
 * steps (dedup, filters, LLM-as-judge), each decision stored with its sample. A half supplies
 * how to check JSON against the template's schema and how to ask a model for JSON.
 */
import { ApiError } from "../api/errors.ts";
import type { AnySqliteDb } from "../db/audit.ts";
import type { JobRow } from "../db/schema/index.ts";
import { type Candidate, type PostStep, postprocess } from "./postprocess.ts";
import { deriveSeed } from "./prng.ts";
import { jobModelOfSample, jobModels, listSamples, saveDecisions } from "./store/jobs.ts";
import { getTemplate } from "./store/templates.ts";
import { renderPrompt } from "./template.ts";

/** A chat request whose answer must be JSON fitting `schema`; resolves to the parsed value. */
export type AskJson = (
  request: {
    model: string;
    messages: ReturnType<typeof renderPrompt>["messages"];
    seed: number;
  } & Record<string, unknown>,
  schema: Record<string, unknown>,
) => Promise<unknown>;

/**
 * LLM-as-judge: renders the judge template with the sample's variables plus `output`, asks the
 * model for JSON holding the score, and returns the score. Seeded per sample, so a resumed job
 * gets the same verdicts.
 */
export async function judgeSample(
  db: AnySqliteDb,
  job: JobRow,
  candidate: Candidate,
  step: Extract<PostStep, { type: "judge" }>,
  index: number,
  askJson: AskJson,
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
  // No max_tokens: a verdict cut short is not JSON; the model's own budget and retries apply.
  const { max_tokens: _ignored, ...params } = template.params as Record<string, unknown>;
  const value = (await askJson(
    {
      ...params,
      model: step.model ?? job.model,
      messages,
      seed: deriveSeed(job.seed, "judge", index, candidate.key) & 0x7fffffff,
    },
    schema,
  )) as Record<string, unknown> | null;
  const score = value?.[field];
  if (typeof score !== "number" || !Number.isFinite(score)) {
    throw new ApiError(500, `The judge gave no numeric '${field}' for sample ${candidate.key}.`, {
      code: "invalid_model_output",
    });
  }
  return score;
}

/** What a half supplies to post-process a job. */
export interface PostprocessJobContext {
  askJson: AskJson;
  /** Checks a value against the template's output schema: a problem, or null. */
  validateJson?: (value: unknown) => string | null;
  signal?: AbortSignal;
}

/** Runs `job`'s steps over its successful samples and stores each decision; false if aborted. */
export async function postprocessJob(
  db: AnySqliteDb,
  job: JobRow,
  context: PostprocessJobContext,
): Promise<boolean> {
  const steps = job.steps as PostStep[];
  if (steps.length === 0) return true;
  const rows = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await listSamples(db, job.id, { status: "ok", offset, limit: 1000 });
    rows.push(...page);
    if (page.length < 1000) break;
  }
  // A comparison job deduplicates each model's samples apart (by the model of the key).
  const comparing = jobModels(job).length > 1;
  const decisions = await postprocess(
    rows.map((s) => ({
      key: `${s.rowIndex}:${s.sampleIndex}`,
      output: s.output ?? "",
      variables: s.variables,
      ...(comparing ? { group: jobModelOfSample(job, s.sampleIndex).name } : {}),
    })),
    steps,
    {
      signal: context.signal,
      validateJson: context.validateJson,
      judge: (candidate, step, index) =>
        judgeSample(db, job, candidate, step, index, context.askJson),
    },
  );
  if (context.signal?.aborted) return false;
  await saveDecisions(
    db,
    rows.map((s, i) => {
      const { kept, ...decision } = decisions[i] as (typeof decisions)[number];
      return { id: s.id, kept, decision };
    }),
  );
  return true;
}
