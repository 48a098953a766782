/**
 * Pure helpers for JSON that must end within a token budget: the smallest value a JSON Schema
 * grammar can produce, and an incremental scanner that knows where a partial JSON text stands.
 */

type Schema = Record<string, unknown>;

/** The smallest valid value of a schema, and the smallest values of its nested parts. */
export interface MinimalJson {
  /** Compact JSON text of the smallest value (node-llama-cpp's grammar writes every property). */
  text: string;
  /** Compact JSON texts of the smallest values of the parts nested inside (not the value itself). */
  parts: string[];
}

const shortest = (values: unknown[]): unknown =>
  values.reduce((best, v) => (JSON.stringify(v).length < JSON.stringify(best).length ? v : best));

/**
 * The smallest JSON value `schema` admits, as node-llama-cpp's JSON-schema grammar writes it
 * (all declared properties, in order; `minItems` items; `minLength` characters). Undefined for
 * what it cannot tell (recursive references, `allOf`, `not`); the validator still decides.
 */
export function minimalJson(schema: Schema | undefined): MinimalJson | undefined {
  if (!schema) return { text: "{}", parts: [] };
  const parts: string[] = [];
  const value = minimalValue(schema, schema, parts, new Set());
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  // An object or array root records itself last.
  return { text, parts: parts.at(-1) === text ? parts.slice(0, -1) : parts };
}

function minimalValue(
  schema: Schema,
  root: Schema,
  parts: string[],
  refs: Set<string>,
): unknown | undefined {
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return shortest(schema.enum);
  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    const target = resolveRef(root, ref);
    if (!target || refs.has(ref)) return undefined;
    refs.add(ref);
    const value = minimalValue(target, root, parts, refs);
    refs.delete(ref);
    return value;
  }
  if ("allOf" in schema || "not" in schema) return undefined;
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(branches)) {
    const values = branches.map((b) => minimalValue(b, root, parts, refs));
    return values.includes(undefined) ? undefined : shortest(values);
  }
  const type = schema.type;
  if (Array.isArray(type)) {
    const values = type.map((t) => minimalValue({ ...schema, type: t }, root, parts, refs));
    return values.includes(undefined) ? undefined : shortest(values);
  }
  switch (type) {
    case "null":
      return null;
    case "boolean":
      return true;
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
      const exclusive =
        typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
      if (exclusive !== undefined && exclusive >= 0) return Math.floor(exclusive) + 1;
      return min !== undefined && min > 0 ? Math.ceil(min) : 0;
    }
    case "string":
      return "a".repeat(typeof schema.minLength === "number" ? schema.minLength : 0);
    case "array": {
      const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as Schema[]) : [];
      const minItems = Math.max(
        prefix.length,
        typeof schema.minItems === "number" ? schema.minItems : 0,
      );
      const items: unknown[] = [];
      for (let i = 0; i < minItems; i++) {
        const itemSchema = prefix[i] ?? (schema.items as Schema | undefined) ?? {};
        const item = minimalValue(itemSchema, root, parts, refs);
        if (item === undefined) return undefined;
        items.push(item);
      }
      // An item the model may start even when none is required.
      if (schema.items && typeof schema.items === "object") {
        const item = minimalValue(schema.items as Schema, root, parts, refs);
        if (item === undefined) return undefined;
        parts.push(JSON.stringify(item));
      }
      parts.push(JSON.stringify(items));
      return items;
    }
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const value: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(properties)) {
        const v = minimalValue(sub, root, parts, refs);
        if (v === undefined) return undefined;
        value[key] = v;
      }
      parts.push(JSON.stringify(value));
      return value;
    }
    default:
      // No type: any JSON value, of which null is the shortest.
      return null;
  }
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let at: unknown = root;
  for (const key of ref.slice(2).split("/")) {
    if (!at || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return at && typeof at === "object" ? (at as Schema) : undefined;
}

/**
 * Where a partial JSON text stands, fed text as it is generated: inside a string or not, and
 * how many objects and arrays are open. Assumes the text is a valid JSON prefix (the grammar
 * guarantees it).
 */
export class JsonScanner {
  readonly #open: ("{" | "[")[] = [];
  #inString = false;
  #escaped = false;
  #started = false;

  /** True inside a string (key or value). */
  get inString(): boolean {
    return this.#inString;
  }

  /** Objects and arrays open now. */
  get depth(): number {
    return this.#open.length;
  }

  /** The innermost open container, if any. */
  get container(): "{" | "[" | undefined {
    return this.#open.at(-1);
  }

  /** True once the top-level value is complete. */
  get closed(): boolean {
    return this.#started && this.#open.length === 0 && !this.#inString;
  }

  push(text: string): void {
    for (const char of text) {
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (char === "\\") this.#escaped = true;
        else if (char === '"') this.#inString = false;
        continue;
      }
      if (char === '"') {
        this.#inString = true;
        this.#started = true;
      } else if (char === "{" || char === "[") {
        this.#open.push(char);
        this.#started = true;
      } else if (char === "}" || char === "]") {
        this.#open.pop();
      } else if (char.trim() !== "") {
        this.#started = true;
      }
    }
  }
}
