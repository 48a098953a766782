/**
 * `POST /v1/jobs/estimate` for both halves: a job's prompt tokens, its most output, time and cost,
 * from up to 200 of its rendered prompts spread over the job. Each half measures prompts its own
 * way: the appliance with its model's tokenizer and throughput, the edge by its request-size
 * heuristic and the routing policy's prices.
 */
import type { z } from "@hono/zod-openapi";
import type { ChatCompletionRequest } from "../api/schemas/chat.ts";
import type { JobCreate, JobEstimate } from "../api/schemas/synth.ts";
import type { AnySqliteDb } from "../db/audit.ts";
import { findTemplate } from "./routes/templates.ts";
import { previewSample, variablesOf } from "./sample-generator.ts";
import { jobInputRows } from "./store/seed-sets.ts";

/** What a half measured of a job's prompts. */
export interface PromptMeasure {
  /** The model name as the half resolved it. */
  model: string;
  /** Tokens of each prompt, in order. */
  promptTokens: number[];
  /** True when counted by the model's own tokenizer, not estimated. */
  exact: boolean;
  /** Recent tokens per second of the model, or null when unknown. */
  tokensPerSecond: number | null;
  /** A call's output cap when the job sets no `max_tokens`: what its context leaves, or a default. */
  defaultMaxTokens(averagePromptTokens: number): number;
  /** The most `promptTokens` in and `completionTokens` out can cost, in USD; null when unpriced. */
  maxCostUsd(promptTokens: number, completionTokens: number): number | null;
}

/** Measures prompts for `model`; throws a 404 for a model the half cannot serve. */
export type MeasurePrompts = (
  model: string,
  prompts: ChatCompletionRequest["messages"][],
) => Promise<PromptMeasure>;

/** Prompts measured at most, spread over the job, standing for all of them. */
const MEASURED = 200;

/** The estimate of the job `body` would create, within `tenantId`. */
export async function estimateJob(
  db: AnySqliteDb,
  tenantId: string,
  body: z.infer<typeof JobCreate>,
  measurePrompts: MeasurePrompts,
): Promise<z.infer<typeof JobEstimate>> {
  const template = await findTemplate(db, tenantId, body.template, body.template_version);
  const rows = await jobInputRows(db, tenantId, body);
  // Each model of a comparison generates every sample, on the same prompts.
  const total = rows.length * body.samples_per_row;
  const seed = body.seed ?? 0;
  const sampling = { rows: (row: number) => rows[row] ?? {}, samplers: body.samplers, seed };
  const measured = Math.min(total, MEASURED);
  const picks = Array.from({ length: measured }, (_, i) => Math.floor((i * total) / measured));
  // With generated columns, each column's prompt counts too (their outputs as placeholders).
  const prompts = picks.flatMap((k) => {
    const task = { row: Math.floor(k / body.samples_per_row), sample: k % body.samples_per_row };
    const sample = previewSample(template, variablesOf(sampling, task), seed, task);
    return [...Object.values(sample.columns ?? {}), sample.messages];
  });
  const params = { ...template.params, ...body.params } as { max_tokens?: number };
  const callsPerSample = 1 + (template.columns?.length ?? 0);
  const estimates = [];
  for (const model of body.models ?? [body.model as string]) {
    const measure = await measurePrompts(model, prompts);
    const sum = measure.promptTokens.reduce((a, b) => a + b, 0);
    const average = measured ? sum / measured : 0;
    const perCall = measure.defaultMaxTokens(Math.ceil(average / callsPerSample));
    const maxTokens = [params, ...(template.columns ?? []).map((c) => ({ ...params, ...c.params }))]
      .map((p) => p.max_tokens ?? perCall)
      .reduce((a, b) => a + b, 0);
    const maxCompletion = total * maxTokens;
    const promptTokens = measured === total ? sum : Math.round(average * total);
    estimates.push({
      model: measure.model,
      promptTokens,
      exact: measure.exact,
      maxCompletion,
      tokensPerSecond: measure.tokensPerSecond,
      maxSeconds: measure.tokensPerSecond ? maxCompletion / measure.tokensPerSecond : null,
      maxCostUsd: measure.maxCostUsd(promptTokens, maxCompletion),
    });
  }
  /** The sum over the models, or null when one of them is unknown. */
  const sumOf = (values: (number | null)[]) =>
    values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
  const first = estimates[0] as (typeof estimates)[number];
  return {
    object: "job_estimate" as const,
    model: first.model,
    samples: total * estimates.length,
    prompt_tokens: estimates.reduce((a, e) => a + e.promptTokens, 0),
    prompt_tokens_exact:
      estimates.every((e) => e.exact) && measured === total && !template.columns?.length,
    max_completion_tokens: estimates.reduce((a, e) => a + e.maxCompletion, 0),
    // A comparison's models take turns on the same slots: its time is the sum of theirs.
    tokens_per_second: estimates.length === 1 ? first.tokensPerSecond : null,
    max_seconds: sumOf(estimates.map((e) => e.maxSeconds)),
    max_cost_usd: sumOf(estimates.map((e) => e.maxCostUsd)),
  };
}
