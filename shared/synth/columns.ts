/**
 * Generated columns: a template can declare columns, each a prompt whose output becomes a value
 * that later prompts read as `{{ columns.<name> }}`. References form a dependency graph, checked
 * when the template is created (unknown names and cycles are 400s naming them) and walked in
 * topological order for every sample, so each prompt sees the outputs it depends on.
 */
import { z } from "zod";
import type { ColumnValue } from "./job-runner.ts";
import { GenerationParams } from "./params.ts";
import { TemplateError, templateVariableSegments } from "./template.ts";

/** The variable under which prompts read generated columns (`{{ columns.question }}`). */
export const COLUMNS_VARIABLE = "columns";

/** A generated column of a template. */
export const GeneratedColumn = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "use 1-64 letters, digits or '_', not first a digit"),
    system: z.string().max(100_000).nullish(),
    prompt: z.string().min(1).max(100_000),
    /** Merged over the job's parameters for this column's calls. */
    params: GenerationParams.optional(),
  })
  .strict();
export type GeneratedColumn = z.infer<typeof GeneratedColumn>;

/** A prompt source and the field it came from (for error messages). */
export interface PromptSource {
  field: string;
  source: string;
}

/** The generated columns a prompt reads; a reference that is not by name is an error. */
export function columnReferences({ field, source }: PromptSource): string[] {
  const names = new Set<string>();
  for (const segments of templateVariableSegments(source)) {
    if (segments[0] !== COLUMNS_VARIABLE) continue;
    const name = segments[1];
    if (typeof name !== "string")
      throw new TemplateError(
        `${field} must read generated columns by name ({{ columns.<name> }})`,
        field,
        "invalid_column_reference",
      );
    names.add(name);
  }
  return [...names];
}

/** The prompt sources of a column: its system and user prompts. */
const sourcesOf = (column: GeneratedColumn, index: number): PromptSource[] => [
  ...(column.system ? [{ field: `columns.${index}.system`, source: column.system }] : []),
  { field: `columns.${index}.prompt`, source: column.prompt },
];

/**
 * Checks a template's columns and returns their names in generation order (dependencies first,
 * otherwise in declaration order). Throws a 400 naming a duplicate, an unknown column read by
 * any prompt (`others` are the template's own prompts), or a cycle (`a → b → a`).
 */
export function planColumns(columns: GeneratedColumn[], others: PromptSource[] = []): string[] {
  const declared = new Map<string, number>();
  columns.forEach((column, index) => {
    if (declared.has(column.name))
      throw new TemplateError(
        `column '${column.name}' is declared twice`,
        `columns.${index}.name`,
        "duplicate_column",
      );
    declared.set(column.name, index);
  });
  const checkKnown = (source: PromptSource) => {
    const references = columnReferences(source);
    const unknown = references.filter((name) => !declared.has(name));
    if (unknown.length > 0)
      throw new TemplateError(
        `${source.field} reads unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `'${n}'`).join(", ")}`,
        source.field,
        "unknown_column",
      );
    return references;
  };
  for (const source of others) checkKnown(source);
  const dependencies = new Map(
    columns.map((column, index) => [
      column.name,
      [...new Set(sourcesOf(column, index).flatMap(checkKnown))],
    ]),
  );

  // Depth-first, visiting columns in declaration order: the path on the stack names a cycle.
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new TemplateError(
        `columns form a cycle: ${cycle.join(" → ")}`,
        `columns.${declared.get(name)}.prompt`,
        "column_cycle",
      );
    }
    state.set(name, "visiting");
    for (const dependency of dependencies.get(name) ?? []) visit(dependency, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const column of columns) visit(column.name, []);
  return order;
}

/** A sample's columns as it records them: each value and the prompt that produced it. */
export function recordedColumns(
  columns: Record<string, ColumnValue> | undefined,
): Record<string, { value: string; messages: ColumnValue["messages"] }> | null {
  if (!columns) return null;
  return Object.fromEntries(
    Object.entries(columns).map(([name, c]) => [name, { value: c.value, messages: c.messages }]),
  );
}

/** Column values by name: what prompts read as `columns.<name>`, and what exports show. */
export const columnValues = (columns: Record<string, { value: string }>): Record<string, string> =>
  Object.fromEntries(Object.entries(columns).map(([name, column]) => [name, column.value]));
