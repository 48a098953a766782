import type { OpenAPIHono } from "@hono/zod-openapi";
import type { JobModel } from "../../../shared/db/schema/index.ts";
import { jobRoutes } from "../../../shared/synth/routes/jobs.ts";
import type { ModelHost } from "../../inference/model-host.ts";
import { parseModelRef } from "../../store/queries/models.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/**
 * What a job on `name` generates on: a bare name or alias is pinned to the version current now
 * (`llama@3`), so a resumed job keeps its file through a later import or rollback; `llama@N`
 * is that version; a name that splits traffic stays itself, each sample drawing its version.
 */
export function pinJobModel(host: ModelHost, name: string): JobModel {
  const resolved = host.resolve(name);
  const split = parseModelRef(name).version === undefined && resolved.name !== resolved.model;
  if (split) return { name, target: name, version: null, sha256: null };
  return { name, target: resolved.ref, version: resolved.version, sha256: resolved.sha256 };
}

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
      resolveModel: (_c, name) => pinJobModel(host, name),
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
