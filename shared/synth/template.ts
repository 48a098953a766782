/**
 * Prompt templates: Liquid (liquidjs) with strict variables, so a missing variable is an error
 * naming it. Liquid evaluates without `eval`, so the same code renders in Workers.
 */
import { Liquid } from "liquidjs";
import { ApiError } from "../api/errors.ts";

const engine = new Liquid({ strictVariables: true, strictFilters: true, cache: 200 });

/** The parts of a template that produce messages. */
export interface TemplatePrompt {
  system?: string | null;
  prompt: string;
}

/** A rendered prompt: chat messages ready for a completion request. */
export interface RenderedPrompt {
  messages: { role: "system" | "user"; content: string }[];
}

/** Raised for a template that does not parse or does not render with the given variables. */
export class TemplateError extends ApiError {
  constructor(message: string, param = "prompt", code = "template_error") {
    super(400, message, { param, code });
    this.name = "TemplateError";
  }
}

/** Checks that a template parses; throws a 400 naming the field and the problem. */
export function parseTemplate(source: string, field: string): void {
  try {
    engine.parse(source);
  } catch (err) {
    throw new TemplateError(
      `${field} is not a valid template: ${(err as Error).message}`,
      field,
      "invalid_template",
    );
  }
}

/** Variable names a template reads at its top level (`{{ topic }}`, `{{ user.name }}` → `user`). */
export function templateVariables(source: string): string[] {
  try {
    return engine.globalVariablesSync(source).map(String).sort();
  } catch {
    return [];
  }
}

/**
 * The variable paths a template reads at its top level, as segments (`{{ a.b }}` → `["a", "b"]`);
 * a dynamic part (`{{ a[k] }}`) is an array. Empty for a template that does not parse.
 */
export function templateVariableSegments(source: string): (string | number | unknown[])[][] {
  try {
    return engine.globalVariableSegmentsSync(source) as (string | number | unknown[])[][];
  } catch {
    return [];
  }
}

/** Renders the template's messages; a missing variable is a 400 that names it. */
export function renderPrompt(
  template: TemplatePrompt,
  variables: Record<string, unknown>,
): RenderedPrompt {
  const render = (source: string, field: string) => {
    try {
      return engine.parseAndRenderSync(source, variables);
    } catch (err) {
      const message = (err as Error).message;
      const missing = /undefined variable: ([\w.]+)/.exec(message)?.[1];
      if (missing)
        throw new TemplateError(
          `missing variable '${missing}' in ${field}`,
          field,
          "missing_variable",
        );
      throw new TemplateError(`${field} failed to render: ${message}`, field);
    }
  };
  const messages: RenderedPrompt["messages"] = [];
  if (template.system)
    messages.push({ role: "system", content: render(template.system, "system") });
  messages.push({ role: "user", content: render(template.prompt, "prompt") });
  return { messages };
}
