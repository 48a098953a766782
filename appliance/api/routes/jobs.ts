import type { OpenAPIHono } from "@hono/zod-openapi";
import { jobRoutes } from "../../../shared/synth/routes/jobs.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/**
 * Mounts `/v1/jobs`: the routes both halves share, run by the appliance's {@link JobManager};
 * estimates measure prompts with the model's own tokenizer and its recent throughput.
 */
export function mountJobRoutes(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices): void {
  const { jobs, host, db } = services;
  app.route(
    "/",
    jobRoutes<ApplianceEnv>({
      db: () => db,
      now: Date.now,
      // A job started or resumed by a traced request runs in that request's trace.
      runner: (c) => jobs.startedBy(c.get("trace")?.open.span),
      resolveModel: (_c, name) => host.resolve(name).name,
      draining: () => services.lifecycle.draining,
      measurePrompts: () => async (model, prompts) => {
        const measure = await services.engine.measurePrompts(model, prompts);
        return {
          ...measure,
          exact: true,
          // Without a cap, a call may fill what its prompt leaves of the context.
          defaultMaxTokens: (average) => Math.max(0, measure.contextSize - average),
          // Local generation costs no money per token.
          maxCostUsd: () => null,
        };
      },
    }),
  );
}
