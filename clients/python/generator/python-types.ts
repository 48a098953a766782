/**
 * JSON Schemas as Python: a type expression for each schema, and a stdlib dataclass for each
 * named component and each object written inline (named after where it sits: `Job.progress` is
 * `JobProgress`). Members of a `oneOf` are named after their `type` value (`JobCreateStepsDedup`).
 */
import type { JsonSchema } from "./documents.ts";

/** Python's reserved words: a property so named becomes `<name>_` (its JSON name is kept). */
const PYTHON_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

/** `some-name` / `someName` → `SomeName`. */
export function pascalCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join("");
}

/** `providerKeys` → `provider_keys`; a reserved word gets a trailing underscore. */
export function snakeCase(text: string): string {
  const snake = text
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .toLowerCase();
  return pythonName(/^[0-9]/.test(snake) ? `_${snake}` : snake);
}

/** A usable Python identifier for `name`. */
export function pythonName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, "_");
  return PYTHON_KEYWORDS.has(safe) ? `${safe}_` : safe;
}

/** A Python string literal (JSON's escapes are Python's for these). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** A JSON value as a Python literal. */
export function pyLiteral(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return JSON.stringify(value);
}

/** A docstring at `indent` (no trailing newline). */
export function docstring(text: string, indent: string): string {
  const lines = text
    .replaceAll("\\", "\\\\")
    .replaceAll('"""', '\\"\\"\\"')
    .trim()
    // A closing quote would run into the docstring's own.
    .replace(/"$/, '" ')
    .split("\n")
    .map((line) => line.trimEnd());
  if (lines.length === 1) return `${indent}"""${lines[0]}"""`;
  const rest = lines.slice(1).map((line) => (line ? indent + line : ""));
  return [`${indent}"""${lines[0]}`, ...rest, `${indent}"""`].join("\n");
}

/** `a | b` of the distinct parts (each may itself be a union). */
export function union(...types: string[]): string {
  return [...new Set(types.flatMap((t) => t.split(" | ")))].join(" | ");
}

/** One dataclass field. */
interface Field {
  python: string;
  json: string;
  type: string;
  required: boolean;
  description?: string;
}

/** Python types for the schemas of a set of components, and the dataclasses those types need. */
export class PythonTypes {
  readonly #components: Record<string, JsonSchema>;
  readonly #classes = new Map<string, string>();
  readonly #inline = new Map<string, string>();

  constructor(components: Record<string, JsonSchema>) {
    this.#components = components;
  }

  /** Every class a type asked for so far needs, by name. */
  source(): string {
    return [...this.#classes.keys()]
      .sort()
      .map((name) => this.#classes.get(name))
      .join("\n\n\n");
  }

  /** The Python type of `schema`; an inline object becomes a class named `hint`. */
  typeOf(schema: JsonSchema, hint: string): string {
    if (schema.$ref) {
      // A named object is its own class; any other named schema is written out where used.
      const name = this.#refName(schema.$ref);
      const named = this.#components[name] ?? {};
      return named.properties || named.allOf
        ? this.classFor(name, named)
        : this.typeOf(named, name);
    }
    const nullable = Array.isArray(schema.type) && schema.type.includes("null");
    const base = this.#baseType(schema, hint);
    return nullable && base !== "None" && base !== "Any" ? union(base, "None") : base;
  }

  /** The class written for an object schema, by name (written once). */
  classFor(name: string, schema: JsonSchema): string {
    if (this.#classes.has(name)) return name;
    this.#classes.set(name, "");
    const fields = this.#fields(this.#merged(schema), name);
    const lines = ["@dataclass(kw_only=True)", `class ${name}(_Schema):`];
    if (schema.description) lines.push(docstring(schema.description, "    "));
    if (fields.length === 0) lines.push("    pass");
    for (const field of fields) {
      const meta = field.python === field.json ? "" : `metadata={"json": ${pyString(field.json)}}`;
      const annotation = field.required ? field.type : union(field.type, "None");
      const value = field.required
        ? meta
          ? ` = field(${meta})`
          : ""
        : meta
          ? ` = field(default=None, ${meta})`
          : " = None";
      lines.push(`    ${field.python}: ${annotation}${value}`);
      if (field.description) lines.push(docstring(field.description, "    "));
    }
    const open = this.#merged(schema).additionalProperties;
    if (open !== undefined && open !== false) {
      // Keys beyond the named ones (a metric's figures by its name) are kept, not dropped.
      if (fields.some((f) => f.python === "extra"))
        throw new Error(`${name} has a property named extra`);
      const values = typeof open === "object" ? this.typeOf(open, `${name}Extra`) : "Any";
      lines.push(
        `    extra: dict[str, ${values}] = field(default_factory=dict, metadata={"extra": True})`,
        '    """The object\'s other keys."""',
      );
      if (fields.length === 0) lines.splice(lines.indexOf("    pass"), 1);
    }
    this.#classes.set(name, lines.join("\n"));
    return name;
  }

  /** The names of the classes written so far. */
  classNames(): string[] {
    return [...this.#classes.keys()];
  }

  /** A named component's schema. */
  componentSchema(ref: string): JsonSchema | undefined {
    return this.#components[this.#refName(ref)];
  }

  /** An object schema's properties, `allOf` parts merged. */
  mergedProperties(schema: JsonSchema): Record<string, JsonSchema> {
    return this.#merged(schema).properties ?? {};
  }

  /** An object written inline: one class for each distinct schema, named where first met. */
  #inlineClass(hint: string, schema: JsonSchema): string {
    const key = JSON.stringify(schema);
    const known = this.#inline.get(key);
    if (known) return known;
    this.#inline.set(key, hint);
    return this.classFor(hint, schema);
  }

  #refName(ref: string): string {
    const name = ref.replace("#/components/schemas/", "");
    if (!this.#components[name]) throw new Error(`unknown schema ${ref}`);
    return name;
  }

  /** `allOf` flattened into one object schema (refs resolved), anything else as it is. */
  #merged(schema: JsonSchema): JsonSchema {
    if (!schema.allOf) return schema;
    const parts = schema.allOf.map((part) =>
      this.#merged(part.$ref ? (this.#components[this.#refName(part.$ref)] ?? {}) : part),
    );
    return {
      type: "object",
      description: schema.description,
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
    };
  }

  #fields(schema: JsonSchema, owner: string): Field[] {
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties ?? {}).map(([json, property]) => ({
      python: pythonName(json),
      json,
      type: this.typeOf(property, owner + pascalCase(json)),
      required: required.has(json),
      description: property.description,
    }));
  }

  #baseType(schema: JsonSchema, hint: string): string {
    if (schema.allOf) {
      if (schema.allOf.length === 1 && schema.allOf[0]) return this.typeOf(schema.allOf[0], hint);
      return this.#inlineClass(hint, schema);
    }
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) {
      const members = variants.map((variant, i) => {
        const tag = variant.properties?.type?.enum?.[0];
        return this.typeOf(
          variant,
          hint + (typeof tag === "string" ? pascalCase(tag) : `${i + 1}`),
        );
      });
      return union(...members);
    }
    if (schema.const !== undefined) return `Literal[${pyLiteral(schema.const)}]`;
    if (schema.enum) {
      // A query's "true" / "false" strings: a bool is what a Python caller passes.
      if (schema.enum.length === 2 && schema.enum.includes("true") && schema.enum.includes("false"))
        return "bool";
      return `Literal[${schema.enum.map(pyLiteral).join(", ")}]`;
    }
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
      (t): t is string => t !== undefined && t !== "null",
    );
    if (types.length === 0) return Array.isArray(schema.type) ? "None" : "Any";
    return types.map((type) => this.#single(type, schema, hint)).join(" | ");
  }

  #single(type: string, schema: JsonSchema, hint: string): string {
    switch (type) {
      case "string":
        return schema.format === "binary" ? "bytes" : "str";
      case "integer":
        return "int";
      case "number":
        return "float";
      case "boolean":
        return "bool";
      case "array":
        return `list[${schema.items ? this.typeOf(schema.items, `${hint}Item`) : "Any"}]`;
      case "object": {
        if (schema.properties && Object.keys(schema.properties).length > 0)
          return this.#inlineClass(hint, schema);
        const values = schema.additionalProperties;
        return `dict[str, ${typeof values === "object" && Object.keys(values).length > 0 ? this.typeOf(values, `${hint}Value`) : "Any"}]`;
      }
      default:
        return "Any";
    }
  }
}
