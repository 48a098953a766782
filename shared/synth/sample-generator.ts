/**
 * Turns a template, seed rows and samplers into a {@link SampleGenerator}: render the prompt with
 * the row's and the sampled variables, call the model, and check the output. Shared by the
 * appliance (local models) and the CLI (any OpenAI-compatible endpoint).
 */
import type { ChatCompletionRequest } from "../api/schemas/chat.ts";
import type { GeneratedSample, SampleGenerator, SampleTask } from "./job-runner.ts";
import { deriveSeed } from "./prng.ts";
import { type Sampler, sampleVariables } from "./samplers.ts";
import { renderPrompt, type TemplatePrompt } from "./template.ts";
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
}>;

/** Options of {@link createTemplateSampleGenerator}. */
export interface TemplateSampleGeneratorOptions {
  template: TemplatePrompt & {
    outputSchema?: Record<string, unknown> | null;
    variants?: TemplateVariant[] | null;
  };
  rows: (row: number) => Record<string, unknown>;
  samplers: Record<string, Sampler>;
  seed: number;
  model: string;
  params: { temperature?: number; top_p?: number; max_tokens?: number };
  complete: CompleteChat;
  /** Checks a parsed JSON output against the template's schema; returns an error or null. */
  validateOutput?: (value: unknown) => string | null;
}

/** Raised for an output that does not satisfy the template (retried like other failures). */
export class OutputInvalidError extends Error {
  override name = "OutputInvalidError";
}

/** The variables of a sample: its row's, then the sampled ones. */
export function variablesOf(
  options: Pick<TemplateSampleGeneratorOptions, "rows" | "samplers" | "seed">,
  task: SampleTask,
) {
  return {
    ...options.rows(task.row),
    ...sampleVariables(options.samplers, options.seed, task.row, task.sample),
  };
}

export function createTemplateSampleGenerator(
  options: TemplateSampleGeneratorOptions,
): SampleGenerator {
  const schema = options.template.outputSchema;
  return async (task, signal): Promise<GeneratedSample> => {
    const variables = variablesOf(options, task);
    const { variant, prompt } = pickVariant(options.template, options.seed, task.row, task.sample);
    const { messages } = renderPrompt(prompt, variables);
    const result = await options.complete(
      {
        model: options.model,
        messages,
        ...options.params,
        // Each sample has its own seed, so a regenerated sample (after a crash) is the same sample.
        seed: deriveSeed(options.seed, task.row, task.sample) & 0x7fffffff,
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
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
    };
  };
}
