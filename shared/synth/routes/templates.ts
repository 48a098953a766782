/**
 * `/v1/templates`, served by both halves from this one module: create a version (every prompt
 * parsed, generated columns planned, the output schema checked, before anything is stored), list
 * the latest of each, list a template's versions, preview rendered samples.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createApiApp } from "../../api/app.ts";
import { ApiError } from "../../api/errors.ts";
import type { Template } from "../../api/schemas/synth.ts";
import {
  createTemplateRoute,
  listTemplatesRoute,
  previewTemplateRoute,
  templateVersionsRoute,
} from "../../api/synth-routes.ts";
import { scopes } from "../../auth/scopes.ts";
import type { AnySqliteDb } from "../../db/audit.ts";
import type { TemplateRow } from "../../db/schema/index.ts";
import { type IdentityEnv, requireScope } from "../../identity/principal.ts";
import { COLUMNS_VARIABLE, type PromptSource, planColumns } from "../columns.ts";
import { previewSample } from "../sample-generator.ts";
import { sampleVariables } from "../samplers.ts";
import {
  createTemplateVersion,
  getTemplate,
  listLatestTemplates,
  listTemplateVersions,
} from "../store/templates.ts";
import { parseTemplate, templateVariables } from "../template.ts";

/** A stored template as the API shows it. */
export function toTemplate(row: TemplateRow): Template {
  return {
    id: row.id,
    object: "template",
    name: row.name,
    version: row.version,
    system: row.system,
    prompt: row.prompt,
    variables: row.variables,
    output_schema: row.outputSchema ?? null,
    params: row.params,
    variants: row.variants ?? null,
    columns: row.columns ?? null,
    created_at: Math.floor(row.createdAt.getTime() / 1000),
  };
}

/** A template by name (latest or given version) of a tenant; 404 otherwise. */
export async function findTemplate(
  db: AnySqliteDb,
  tenantId: string,
  name: string,
  version?: number,
): Promise<TemplateRow> {
  const row = await getTemplate(db, tenantId, name, version);
  if (!row) {
    throw new ApiError(404, `No template '${name}'${version ? ` version ${version}` : ""}.`, {
      param: "template",
      code: "template_not_found",
    });
  }
  return row;
}

/** What a half supplies. */
export interface TemplateRouteDeps<E extends IdentityEnv> {
  db(c: Context<E>): AnySqliteDb | Promise<AnySqliteDb>;
  now(): number;
  /** Refuses an output schema that is not a valid JSON Schema (a 400 naming `param`). */
  checkOutputSchema(schema: Record<string, unknown>, param: string): void;
}

/** The routes, on an app of their own for the half to mount with `app.route("/", …)`. */
export function templateRoutes<E extends IdentityEnv>(deps: TemplateRouteDeps<E>): OpenAPIHono<E> {
  const app = createApiApp<E>();
  app.use("/v1/templates", requireScope(scopes.templates));
  app.use("/v1/templates/*", requireScope(scopes.templates));

  app.openapi(createTemplateRoute, async (c) => {
    const body = c.req.valid("json");
    for (const [index, variant] of (body.variants ?? []).entries()) {
      if (variant.system) parseTemplate(variant.system, `variants.${index}.system`);
      parseTemplate(variant.prompt, `variants.${index}.prompt`);
    }
    if (body.system) parseTemplate(body.system, "system");
    parseTemplate(body.prompt, "prompt");
    for (const [index, column] of (body.columns ?? []).entries()) {
      if (column.system) parseTemplate(column.system, `columns.${index}.system`);
      parseTemplate(column.prompt, `columns.${index}.prompt`);
    }
    if (body.output_schema) deps.checkOutputSchema(body.output_schema, "output_schema");
    const prompts: PromptSource[] = [
      ...(body.system ? [{ field: "system", source: body.system }] : []),
      { field: "prompt", source: body.prompt },
      ...(body.variants ?? []).flatMap((v, i) => [
        ...(v.system ? [{ field: `variants.${i}.system`, source: v.system }] : []),
        { field: `variants.${i}.prompt`, source: v.prompt },
      ]),
    ];
    // Unknown columns and cycles are refused here, not discovered sample by sample.
    planColumns(body.columns ?? [], prompts);
    const sources = [
      ...prompts,
      ...(body.columns ?? []).flatMap((col) => [
        ...(col.system ? [{ field: "", source: col.system }] : []),
        { field: "", source: col.prompt },
      ]),
    ].map((p) => p.source);
    // The variables a job must supply (seed rows, samplers); generated columns are not among them.
    const variables = [...new Set(sources.flatMap(templateVariables))]
      .filter((name) => !(body.columns && name === COLUMNS_VARIABLE))
      .sort();
    const row = await createTemplateVersion(
      await deps.db(c),
      {
        tenantId: c.get("principal").tenantId,
        name: body.name,
        system: body.system ?? null,
        prompt: body.prompt,
        variables,
        outputSchema: body.output_schema ?? null,
        params: body.params ?? {},
        variants: body.variants ?? null,
        columns: body.columns ?? null,
      },
      new Date(deps.now()),
    );
    return c.json(toTemplate(row), 201);
  });

  app.openapi(listTemplatesRoute, async (c) => {
    const rows = await listLatestTemplates(await deps.db(c), c.get("principal").tenantId);
    return c.json({ object: "list" as const, data: rows.map(toTemplate) }, 200);
  });

  app.openapi(templateVersionsRoute, async (c) => {
    const { name } = c.req.valid("param");
    const rows = await listTemplateVersions(await deps.db(c), c.get("principal").tenantId, name);
    if (rows.length === 0)
      throw new ApiError(404, `No template '${name}'.`, {
        param: "name",
        code: "template_not_found",
      });
    return c.json({ object: "list" as const, data: rows.map(toTemplate) }, 200);
  });

  app.openapi(previewTemplateRoute, async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = await deps.db(c);
    const template = await findTemplate(db, c.get("principal").tenantId, name, body.version);
    const rows = body.rows ?? Array.from({ length: body.count ?? 3 }, () => ({}));
    const seed = body.seed ?? 0;
    const data = rows.map((row, index) => {
      const variables = { ...row, ...sampleVariables(body.samplers ?? {}, seed, index, 0) };
      return {
        row: index,
        variables,
        ...previewSample(template, variables, seed, { row: index, sample: 0 }),
      };
    });
    return c.json({ object: "list" as const, data }, 200);
  });

  return app;
}
