import { Ajv, type ValidateFunction } from "ajv";
import { invalidRequest } from "../../shared/api/errors.ts";

const ajv = new Ajv({ strict: false, allErrors: false });
const cache = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 100;

/**
 * Compiles a client's response JSON Schema. The grammar makes output follow the schema's shape;
 * this validator also checks what a grammar cannot (ranges, patterns, number forms), and an
 * invalid schema is refused here with a 400 before any work starts.
 */
export function compileResponseSchema(
  schema: Record<string, unknown>,
  param: string,
): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw invalidRequest(
        `${param} is not a valid JSON Schema: ${(err as Error).message}`,
        param,
        "invalid_json_schema",
      );
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, validate);
  }
  return validate;
}

/** True when `text` is JSON and (when given) valid against `validate`. */
export function isValidJson(text: string, validate?: ValidateFunction): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return validate ? validate(value) === true : true;
}
