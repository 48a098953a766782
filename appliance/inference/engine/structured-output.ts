import type { ValidateFunction } from "ajv";
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { ApiError, invalidRequest } from "../../../shared/api/errors.ts";
import type { ChatCompletionRequest } from "../../../shared/api/schemas/chat.ts";
import { compileResponseSchema, isValidJson } from "../json-schema.ts";
import type { GeneratedChoice } from "./types.ts";

/** Output constrained by a grammar and checked by a validator. */
export interface Constraint {
  grammar: LlamaGrammar;
  validate?: ValidateFunction;
}

/** Samples of one choice before a request gives up on invalid JSON. */
export const MAX_JSON_ATTEMPTS = 4;

/** The constraint of a chat request's `response_format`; undefined for plain text. */
export async function responseFormatConstraint(
  llama: Llama,
  format: ChatCompletionRequest["response_format"],
): Promise<Constraint | undefined> {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object" || !format.json_schema.schema) {
    return { grammar: await llama.getGrammarFor("json") };
  }
  return schemaConstraint(llama, format.json_schema.schema, "response_format.json_schema.schema");
}

/** A grammar and validator for a JSON Schema; 400 naming `param` when it cannot be enforced. */
export async function schemaConstraint(
  llama: Llama,
  schema: Record<string, unknown>,
  param: string,
): Promise<Constraint> {
  const validate = compileResponseSchema(schema, param);
  try {
    // Checked above as a JSON Schema; node-llama-cpp enforces the subset a grammar can express.
    const gbnfSchema = schema as Parameters<typeof llama.createGrammarForJsonSchema>[0];
    return { grammar: await llama.createGrammarForJsonSchema(gbnfSchema), validate };
  } catch (err) {
    throw invalidRequest(
      `${param} cannot be enforced: ${(err as Error).message}`,
      param,
      "invalid_json_schema",
    );
  }
}

/** A constrained choice and whether its text is valid JSON for the constraint. */
export interface CheckedChoice {
  generated: GeneratedChoice;
  valid: boolean;
}

/**
 * Samples until the text is valid JSON for `constraint`, each attempt with its own seed (at most
 * {@link MAX_JSON_ATTEMPTS}; then 500). Output cut by the client's `max_tokens` is returned as it
 * is; without a client limit, "length" means the context filled up and a fresh sample may fit.
 */
export async function sampleValidJson(
  constraint: Constraint,
  clientMaxTokens: number | null | undefined,
  sample: (attempt: number) => Promise<GeneratedChoice>,
): Promise<CheckedChoice> {
  for (let attempt = 0; ; attempt++) {
    const generated = await sample(attempt);
    const valid = isValidJson(generated.text, constraint.validate);
    if (valid || (generated.finishReason !== "stop" && clientMaxTokens != null)) {
      return { generated, valid };
    }
    if (attempt + 1 >= MAX_JSON_ATTEMPTS) {
      throw new ApiError(
        500,
        `The model produced no valid JSON after ${MAX_JSON_ATTEMPTS} attempts.`,
        { code: "invalid_model_output" },
      );
    }
  }
}
