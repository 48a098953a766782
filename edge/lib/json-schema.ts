/**
 * Checks a client's JSON Schema on the edge, where ajv cannot compile (Workers forbid code
 * generated from strings): the schema is validated against the draft-07 meta-schema with
 * @cfworker/json-schema, which interprets instead of compiling.
 */
import { Validator } from "@cfworker/json-schema";
import draft07 from "ajv/dist/refs/json-schema-draft-07.json" with { type: "json" };
import { invalidRequest } from "../../shared/api/errors.ts";

const metaSchema = new Validator(draft07 as Record<string, unknown>, "7");

/** Refuses a schema that is not a valid JSON Schema with a 400 naming `param` and where. */
export function checkJsonSchema(schema: Record<string, unknown>, param: string): void {
  const { valid, errors } = metaSchema.validate(schema);
  if (valid) return;
  // The deepest error says most: `#/properties/age/type` rather than `#`.
  const deepest = errors.reduce((a, b) =>
    b.instanceLocation.length > a.instanceLocation.length ? b : a,
  );
  const where = deepest.instanceLocation.replace(/^#/, "") || "/";
  throw invalidRequest(
    `${param} is not a valid JSON Schema: at ${where}: ${deepest.error}`,
    param,
    "invalid_json_schema",
  );
}

/**
 * A validator of generated output against a template's schema (what ajv does on the appliance):
 * null when valid, else what is wrong.
 */
export function outputValidator(
  schema: Record<string, unknown>,
): (value: unknown) => string | null {
  const validator = new Validator(schema, "2020-12", false);
  return (value) => {
    const { valid, errors } = validator.validate(value);
    return valid ? null : errors.map((e) => `${e.instanceLocation}: ${e.error}`).join("; ");
  };
}
