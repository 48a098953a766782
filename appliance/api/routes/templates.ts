import type { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "../../../shared/api/errors.ts";
import type { Template } from "../../../shared/api/schemas/synth.ts";
import {
  createTemplateRoute,
  listTemplatesRoute,
  previewTemplateRoute,
  templateVersionsRoute,
} from "../../../shared/api/synth-routes.ts";
import type { TemplateRow } from "../../../shared/db/schema/index.ts";
import { COLUMNS_VARIABLE, type PromptSource, planColumns } from "../../../shared/synth/columns.ts";
import { previewSample } from "../../../shared/synth/sample-generator.ts";
import { sampleVariables } from "../../../shared/synth/samplers.ts";
import { parseTemplate, templateVariables } from "../../../shared/synth/template.ts";
import { compileResponseSchema } from "../../inference/json-schema.ts";
import {
  createTemplateVersion,
  getTemplate,
  listLatestTemplates,
  listTemplateVersions,
} from "../../store/queries/templates.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

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

/** A template by name (latest or given version) of the request's tenant; 404 otherwise. */
export function findTemplate(
  services: ApplianceServices,
  tenantId: string,
  name: string,
  version?: number,
): TemplateRow {
  const row = getTemplate(services.db, tenantId, name, version);
  if (!row) {
    throw new ApiError(404, `No template '${name}'${version ? ` version ${version}` : ""}.`, {
      param: "template",
      code: "template_not_found",
    });
  }
  return row;
}

/** Mounts `/v1/templates`. */
export function mountTemplateRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  services: ApplianceServices,
): void {
  app.use("/v1/templates", requireScope("templates"));
  app.use("/v1/templates/*", requireScope("templates"));

  app.openapi(createTemplateRoute, (c) => {
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
    if (body.output_schema) compileResponseSchema(body.output_schema, "output_schema");
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
      ...(body.columns ?? []).flatMap((c) => [
        ...(c.system ? [{ field: "", source: c.system }] : []),
        { field: "", source: c.prompt },
      ]),
    ].map((p) => p.source);
    // The variables a job must supply (seed rows, samplers); generated columns are not among them.
    const variables = [...new Set(sources.flatMap(templateVariables))]
      .filter((name) => !(body.columns && name === COLUMNS_VARIABLE))
      .sort();
    const row = createTemplateVersion(services.db, {
      tenantId: c.get("principal").tenantId,
      name: body.name,
      system: body.system ?? null,
      prompt: body.prompt,
      variables,
      outputSchema: body.output_schema ?? null,
      params: body.params ?? {},
      variants: body.variants ?? null,
      columns: body.columns ?? null,
    });
    return c.json(toTemplate(row), 201);
  });

  app.openapi(listTemplatesRoute, (c) =>
    c.json(
      {
        object: "list" as const,
        data: listLatestTemplates(services.db, c.get("principal").tenantId).map(toTemplate),
      },
      200,
    ),
  );

  app.openapi(templateVersionsRoute, (c) => {
    const { name } = c.req.valid("param");
    const rows = listTemplateVersions(services.db, c.get("principal").tenantId, name);
    if (rows.length === 0)
      throw new ApiError(404, `No template '${name}'.`, {
        param: "name",
        code: "template_not_found",
      });
    return c.json({ object: "list" as const, data: rows.map(toTemplate) }, 200);
  });

  app.openapi(previewTemplateRoute, (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const template = findTemplate(services, c.get("principal").tenantId, name, body.version);
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
}
