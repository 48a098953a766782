/**
 * Domain rules per dataset: JSON-schema validity, regular expressions, required fields and value
 * ranges. JSON Schema is checked by a validator the caller passes in: ajv compiles schemas with
 * `new Function`, which Workers forbid, so each runtime brings its own.
 */

/** The outcome of a caller's JSON-schema validator. */
export interface SchemaVerdict {
  valid: boolean;
  /** Human-readable errors, e.g. ajv's `instancePath message`. */
  errors?: string[];
}

/** One rule of a dataset. `field` is a dotted path into the parsed JSON sample. */
export type DomainRule =
  | { kind: "json_schema"; name?: string; validate: (value: unknown) => SchemaVerdict }
  | {
      kind: "regex";
      name?: string;
      pattern: string | RegExp;
      /** Flags when `pattern` is a string. */
      flags?: string;
      /** Tested on this field (a string) instead of the whole text. */
      field?: string;
      /** `true` (default): the text must match; `false`: it must not. */
      mustMatch?: boolean;
    }
  | { kind: "required"; name?: string; fields: readonly string[] }
  | {
      kind: "range";
      name?: string;
      field: string;
      /** Bounds on a number, inclusive. */
      min?: number;
      max?: number;
      /** Bounds on the length of a string or an array, inclusive. */
      minLength?: number;
      maxLength?: number;
    };

/** Why a sample broke a rule. */
export interface RuleViolation {
  rule: string;
  field?: string;
  message: string;
}

/** The sample's verdict: passed when no rule was broken. */
export interface RulesResult {
  passed: boolean;
  violations: RuleViolation[];
}

/** The value at a dotted path (`answer.choices.0`), or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const needsJson = (rule: DomainRule) =>
  rule.kind === "json_schema" ||
  rule.kind === "required" ||
  rule.kind === "range" ||
  (rule.kind === "regex" && rule.field !== undefined);

/**
 * Checks a sample (text, or an already parsed value) against the rules. A text that rules on
 * fields need is parsed as JSON once; if it is not JSON, those rules report that instead.
 */
export function checkRules(sample: unknown, rules: readonly DomainRule[]): RulesResult {
  const text = typeof sample === "string" ? sample : JSON.stringify(sample);
  let parsed: unknown = sample;
  let parseError: string | null = null;
  if (typeof sample === "string" && rules.some(needsJson)) {
    try {
      parsed = JSON.parse(sample);
    } catch (err) {
      parseError = `not valid JSON: ${(err as Error).message}`;
    }
  }
  const violations: RuleViolation[] = [];
  for (const rule of rules) {
    const name = rule.name ?? rule.kind;
    if (needsJson(rule) && parseError !== null) {
      violations.push({ rule: name, message: parseError });
      continue;
    }
    switch (rule.kind) {
      case "json_schema": {
        const verdict = rule.validate(parsed);
        if (!verdict.valid)
          for (const message of verdict.errors?.length
            ? verdict.errors
            : ["does not match the schema"])
            violations.push({ rule: name, message });
        break;
      }
      case "regex": {
        const target = rule.field === undefined ? text : valueAt(parsed, rule.field);
        if (typeof target !== "string") {
          violations.push({ rule: name, field: rule.field, message: "is not a string" });
          break;
        }
        const pattern =
          typeof rule.pattern === "string" ? new RegExp(rule.pattern, rule.flags) : rule.pattern;
        // A global or sticky RegExp keeps lastIndex between calls; reset it so checks repeat.
        pattern.lastIndex = 0;
        const matched = pattern.test(target);
        if (matched !== (rule.mustMatch ?? true))
          violations.push({
            rule: name,
            field: rule.field,
            message: `${matched ? "matches" : "does not match"} /${pattern.source}/${pattern.flags}`,
          });
        break;
      }
      case "required":
        for (const field of rule.fields) {
          const value = valueAt(parsed, field);
          if (value === undefined || value === null || value === "")
            violations.push({ rule: name, field, message: "is required" });
        }
        break;
      case "range": {
        const value = valueAt(parsed, rule.field);
        const fail = (message: string) =>
          violations.push({ rule: name, field: rule.field, message });
        if (rule.min !== undefined || rule.max !== undefined) {
          if (typeof value !== "number" || Number.isNaN(value)) fail("is not a number");
          else if (rule.min !== undefined && value < rule.min) fail(`is below ${rule.min}`);
          else if (rule.max !== undefined && value > rule.max) fail(`is above ${rule.max}`);
        }
        if (rule.minLength !== undefined || rule.maxLength !== undefined) {
          if (typeof value !== "string" && !Array.isArray(value)) fail("has no length");
          else {
            const length = typeof value === "string" ? [...value].length : value.length;
            if (rule.minLength !== undefined && length < rule.minLength)
              fail(`is shorter than ${rule.minLength}`);
            else if (rule.maxLength !== undefined && length > rule.maxLength)
              fail(`is longer than ${rule.maxLength}`);
          }
        }
        break;
      }
    }
  }
  return { passed: violations.length === 0, violations };
}
