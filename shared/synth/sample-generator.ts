/**
 * Turns a template, seed rows and samplers into a {@link SampleGenerator}: render the prompt with
 * the row's and the sampled variables, call the model, and check the output. Shared by the
 * appliance (local models) and the CLI (any OpenAI-compatible endpoint).
 */
import type { ChatCompletionRequest } from "../api/schemas/chat.ts";
import type { ModelProvenance } from "../db/schema/model-versions.ts";
import { COLUMNS_VARIABLE, columnValues, type GeneratedColumn, planColumns } from "./columns.ts";
import type {
  ColumnValue,
  GeneratedSample,
  SampleCheckpoint,
  SampleGenerator,
  SampleTask,
} from "./job-runner.ts";
import { deriveSeed } from "./prng.ts";
import { type Sampler, sampleVariables } from "./samplers.ts";
import { type RenderedPrompt, renderPrompt, type TemplatePrompt } from "./template.ts";
import { pickVariant, type TemplateVariant } from "./variants.ts";

/** A chat completion call: the text and token usage of one choice. */
export type CompleteChat = (
  request: ChatCompletionRequest,
  signal: AbortSignal,
) => Promise<{
  text: string;
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
  /**
   * The model that answered: on the appliance the exact local file (name, version, sha256), on
   * the edge the target's name (version and sha256 null); absent where the caller cannot tell.
   */
  provenance?: ModelProvenance;
}>;

/** Options of {@link createTemplateSampleGenerator}. */
export interface TemplateSampleGeneratorOptions {
  template: TemplatePrompt & {
    outputSchema?: Record<string, unknown> | null;
    variants?: TemplateVariant[] | null;
    /** Generated columns, made in dependency order before the template's own prompt. */
    columns?: GeneratedColumn[] | null;
  };
  rows: (row: number) => Record<string, unknown>;
  samplers: Record<string, Sampler>;
  seed: number;
  /** The model every sample is generated on, unless `models` is given. */
  model: string;
  /**
   * A comparison: sample key s of a row is generated on `models[s % k]` with the variables,
   * variant and seeds of sample `floor(s / k)`, so the k samples of one input are paired.
   */
  models?: readonly string[];
  params: { temperature?: number; top_p?: number; max_tokens?: number };
  complete: CompleteChat;
  /** Checks a parsed JSON output against the template's schema; returns an error or null. */
  validateOutput?: (value: unknown) => string | null;
}

/** Raised for an output that does not satisfy the template (retried like other failures). */
export class OutputInvalidError extends Error {
  override name = "OutputInvalidError";
}

/**
 * The sample whose inputs (variables, variant, seeds) a sample key uses: itself, or with k
 * `models`, the `floor(sample / k)`th of its row, shared by the k keys of one pair.
 */
export function inputTaskOf(task: SampleTask, models = 1): SampleTask {
  return models > 1 ? { row: task.row, sample: Math.floor(task.sample / models) } : task;
}

/** The model a sample key is generated on (see {@link TemplateSampleGeneratorOptions.models}). */
const modelOf = (
  options: Pick<TemplateSampleGeneratorOptions, "model" | "models">,
  task: SampleTask,
) =>
  options.models?.length
    ? (options.models[task.sample % options.models.length] as string)
    : options.model;

/** The variables of a sample: its row's, then the sampled ones. */
export function variablesOf(
  options: Pick<TemplateSampleGeneratorOptions, "rows" | "samplers" | "seed" | "models">,
  task: SampleTask,
) {
  const input = inputTaskOf(task, options.models?.length);
  return {
    ...options.rows(input.row),
    ...sampleVariables(options.samplers, options.seed, input.row, input.sample),
  };
}

/**
 * The seed of one model call of a sample: each sample (and each of its columns) has its own;
 * `task` is the sample's input task, so paired samples share it.
 */
const callSeed = (options: TemplateSampleGeneratorOptions, task: SampleTask, part?: string) =>
  (part === undefined
    ? deriveSeed(options.seed, task.row, task.sample)
    : deriveSeed(options.seed, task.row, task.sample, part)) & 0x7fffffff;

/**
 * Generates a sample's columns in `order`, each prompt rendered with the outputs before it.
 * Columns the checkpoint holds (from an interrupted attempt) are reused, not generated again.
 */
async function generateColumns(
  options: TemplateSampleGeneratorOptions,
  order: string[],
  model: string,
  /** The sample's input task (its seeds). */
  task: SampleTask,
  variables: Record<string, unknown>,
  signal: AbortSignal,
  checkpoint: SampleCheckpoint,
): Promise<Record<string, ColumnValue>> {
  const byName = new Map((options.template.columns ?? []).map((c) => [c.name, c]));
  const saved = await checkpoint.load();
  const columns: Record<string, ColumnValue> = {};
  for (const name of order) {
    const column = byName.get(name) as GeneratedColumn;
    let value = saved[name];
    if (!value) {
      const { messages } = renderPrompt(column, {
        ...variables,
        [COLUMNS_VARIABLE]: columnValues(columns),
      });
      const result = await options.complete(
        {
          model,
          messages,
          ...options.params,
          ...column.params,
          seed: callSeed(options, task, `column:${name}`),
        },
        signal,
      );
      value = {
        value: result.text.trim(),
        messages,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
      };
      await checkpoint.save(name, value);
    }
    columns[name] = value;
  }
  return columns;
}

export function createTemplateSampleGenerator(
  options: TemplateSampleGeneratorOptions,
): SampleGenerator {
  const schema = options.template.outputSchema;
  const order = planColumns(options.template.columns ?? []);
  return async (task, signal, checkpoint): Promise<GeneratedSample> => {
    const variables = variablesOf(options, task);
    const model = modelOf(options, task);
    const input = inputTaskOf(task, options.models?.length);
    const { variant, prompt } = pickVariant(
      options.template,
      options.seed,
      input.row,
      input.sample,
    );
    const columns =
      order.length > 0
        ? await generateColumns(options, order, model, input, variables, signal, checkpoint)
        : undefined;
    const { messages } = renderPrompt(
      prompt,
      columns ? { ...variables, [COLUMNS_VARIABLE]: columnValues(columns) } : variables,
    );
    const result = await options.complete(
      {
        model,
        messages,
        ...options.params,
        // Each sample has its own seed, so a regenerated sample (after a crash) is the same sample.
        seed: callSeed(options, input),
        ...(schema
          ? { response_format: { type: "json_schema", json_schema: { name: "output", schema } } }
          : {}),
      },
      signal,
    );
    if (schema) {
      let value: unknown;
      try {
        value = JSON.parse(result.text);
      } catch {
        throw new OutputInvalidError(`output is not JSON (finish_reason ${result.finishReason})`);
      }
      const problem = options.validateOutput?.(value);
      if (problem)
        throw new OutputInvalidError(`output does not match the template's schema: ${problem}`);
    }
    return {
      variant,
      variables,
      messages,
      output: result.text,
      ...(columns ? { columns } : {}),
      promptTokens: sum(columns, "promptTokens") + result.promptTokens,
      completionTokens: sum(columns, "completionTokens") + result.completionTokens,
      provenance: result.provenance ?? null,
    };
  };
}

const sum = (
  columns: Record<string, ColumnValue> | undefined,
  field: "promptTokens" | "completionTokens",
) => Object.values(columns ?? {}).reduce((total, column) => total + column[field], 0);

/**
 * Renders every prompt of a sample without generating: the columns' prompts in generation order
 * and the template's own, with each column's output shown as `[column: <name>]`.
 */
export function previewSample(
  template: TemplateSampleGeneratorOptions["template"],
  variables: Record<string, unknown>,
  seed: number,
  task: SampleTask,
): {
  variant: string | null;
  columns?: Record<string, RenderedPrompt["messages"]>;
  messages: RenderedPrompt["messages"];
} {
  const declared = template.columns ?? [];
  const { variant, prompt } = pickVariant(template, seed, task.row, task.sample);
  if (declared.length === 0) return { variant, messages: renderPrompt(prompt, variables).messages };
  const placeholders = Object.fromEntries(declared.map((c) => [c.name, `[column: ${c.name}]`]));
  const withColumns = { ...variables, [COLUMNS_VARIABLE]: placeholders };
  const byName = new Map(declared.map((c) => [c.name, c]));
  const columns = Object.fromEntries(
    planColumns(declared).map((name) => [
      name,
      renderPrompt(byName.get(name) as GeneratedColumn, withColumns).messages,
    ]),
  );
  return { variant, columns, messages: renderPrompt(prompt, withColumns).messages };
}
