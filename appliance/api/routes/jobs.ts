import type { OpenAPIHono } from "@hono/zod-openapi";
import { estimateJobRoute } from "../../../shared/api/synth-routes.ts";
import { jobInputRows, jobRoutes } from "../../../shared/synth/routes/jobs.ts";
import { findTemplate } from "../../../shared/synth/routes/templates.ts";
import { previewSample, variablesOf } from "../../../shared/synth/sample-generator.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/**
 * Mounts `/v1/jobs`: the routes both halves share (run by the appliance's {@link JobManager}),
 * and the estimate, which measures prompts on the appliance's own models.
 */
export function mountJobRoutes(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices): void {
  const { jobs, host, db } = services;
  app.use("/v1/jobs/estimate", requireScope("jobs"));

  app.openapi(estimateJobRoute, async (c) => {
    const body = c.req.valid("json");
    const template = await findTemplate(
      db,
      c.get("principal").tenantId,
      body.template,
      body.template_version,
    );
    const rows = await jobInputRows(db, c.get("principal").tenantId, body);
    const total = rows.length * body.samples_per_row;
    const seed = body.seed ?? 0;
    const sampling = { rows: (row: number) => rows[row] ?? {}, samplers: body.samplers, seed };
    // Up to 200 prompts, spread over the job, stand for all of them.
    const measured = Math.min(total, 200);
    const picks = Array.from({ length: measured }, (_, i) => Math.floor((i * total) / measured));
    // With generated columns, each column's prompt counts too (their outputs as placeholders).
    const prompts = picks.flatMap((k) => {
      const task = { row: Math.floor(k / body.samples_per_row), sample: k % body.samples_per_row };
      const sample = previewSample(template, variablesOf(sampling, task), seed, task);
      return [...Object.values(sample.columns ?? {}), sample.messages];
    });
    const measure = await services.engine.measurePrompts(body.model, prompts);
    const sum = measure.promptTokens.reduce((a, b) => a + b, 0);
    const average = measured ? sum / measured : 0;
    const params = { ...template.params, ...body.params } as { max_tokens?: number };
    const callsPerSample = 1 + (template.columns?.length ?? 0);
    const perCall = Math.max(0, measure.contextSize - Math.ceil(average / callsPerSample));
    const maxTokens = [params, ...(template.columns ?? []).map((c) => ({ ...params, ...c.params }))]
      .map((p) => p.max_tokens ?? perCall)
      .reduce((a, b) => a + b, 0);
    const maxCompletion = total * maxTokens;
    return c.json(
      {
        object: "job_estimate" as const,
        model: measure.model,
        samples: total,
        prompt_tokens: measured === total ? sum : Math.round(average * total),
        prompt_tokens_exact: measured === total && !template.columns?.length,
        max_completion_tokens: maxCompletion,
        tokens_per_second: measure.tokensPerSecond,
        max_seconds: measure.tokensPerSecond ? maxCompletion / measure.tokensPerSecond : null,
      },
      200,
    );
  });

  app.route(
    "/",
    jobRoutes<ApplianceEnv>({
      db: () => db,
      now: Date.now,
      runner: () => jobs,
      resolveModel: (_c, name) => host.resolve(name).name,
      draining: () => services.lifecycle.draining,
    }),
  );
}
