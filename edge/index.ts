/**
 * The edge gateway: app assembly only (middleware order, routes, error handling).
 */
import type { Context } from "hono";
import { except } from "hono/combine";
import { requestId } from "hono/request-id";
import { createApiApp, errorResponse, toApiError } from "../shared/api/app.ts";
import { ApiError } from "../shared/api/errors.ts";
import { identityAdminRoutes } from "../shared/identity/admin-routes.ts";
import { datasetRoutes } from "../shared/synth/routes/datasets.ts";
import { jobRoutes } from "../shared/synth/routes/jobs.ts";
import { SEED_UPLOAD_PATH, seedRowRoutes } from "../shared/synth/routes/seed-rows.ts";
import { templateRoutes } from "../shared/synth/routes/templates.ts";
import { usageRoutes } from "../shared/usage/routes.ts";
import { type Bindings, type EdgeEnv, settings } from "./env.ts";
import type { GatewayDeps } from "./gateway/deps.ts";
import { routeFor } from "./gateway/route-for.ts";
import { mountHubRoutes } from "./hub/index.ts";
import { createJobConsumer, type JobBatchMessage } from "./jobs/consumer.ts";
import { r2ExportStore } from "./jobs/exports.ts";
import { queueJobRunner } from "./jobs/runner.ts";
import { checkJsonSchema } from "./lib/json-schema.ts";
import { authenticate, requireScope } from "./middleware/auth/index.ts";
import { forgetApiKey } from "./middleware/auth/key-cache.ts";
import { limitBodySize } from "./middleware/body-limit/index.ts";
import { requestLog } from "./middleware/request-log/index.ts";
import { serverTraceparent, tracing } from "./middleware/tracing/index.ts";
import { mountLimitRoutes } from "./routes/admin/limits.ts";
import { mountProviderKeyRoutes } from "./routes/admin/provider-keys.ts";
import { mountAuthRoutes } from "./routes/auth.ts";
import { mountChatRoutes } from "./routes/chat.ts";
import { mountCompletionRoutes } from "./routes/completions.ts";
import { mountDocsRoutes } from "./routes/docs.ts";
import { mountEmbeddingRoutes } from "./routes/embeddings.ts";
import { mountHealthRoutes } from "./routes/health.ts";
import { mountModelRoutes } from "./routes/models.ts";
import { CircuitBreaker } from "./routing/circuit-breaker.ts";
import { DEFAULT_MAX_TOKENS, estimateChat } from "./routing/estimate.ts";
import { maxCostOf } from "./routing/price.ts";
import { openStore } from "./store/db.ts";

/** Builds the app; tests inject a clock (routing and auth), a sleep and a random source. */
export function createEdgeApp(overrides: Partial<GatewayDeps> = {}) {
  const now = overrides.now ?? Date.now;
  const deps: GatewayDeps = {
    fetch: (input, init) => fetch(input, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    ...overrides,
    now,
    breaker: overrides.breaker ?? new CircuitBreaker(now),
  };
  const app = createApiApp<EdgeEnv>();
  const store = (c: Context<EdgeEnv>) => openStore(settings(c).database);
  // A traced request's jobs run in its trace: their batches' spans are its server span's children.
  const jobRunner = (c: Context<EdgeEnv>) =>
    queueJobRunner(c.env, () => store(c), settings(c).jobBatchSize, now, serverTraceparent(c));
  app.use(requestId({ limitLength: 128 }));
  // One JSON line per request (an inference call's when it ends): sees every answer.
  app.use(requestLog({ now }));
  // Spans under the request log's trace id, exported when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  app.use(tracing());
  mountHealthRoutes(app);
  mountDocsRoutes(app);
  // Everything under /v1 needs credentials (sign-in routes carry their own); each route then
  // names the scope it needs.
  // Seed uploads stream past it, under a limit of their own.
  const bodyLimit = limitBodySize();
  app.use("/v1/*", (c, next) => (c.req.path === SEED_UPLOAD_PATH ? next() : bodyLimit(c, next)));
  app.use("/v1/*", except("/v1/auth/*", authenticate({ now, fetch: deps.fetch })));
  mountAuthRoutes(app, now);
  app.use("/v1/models", requireScope("models:read"));
  app.use("/v1/models/*", requireScope("models:read"));
  app.use("/v1/chat/completions", requireScope("inference"));
  app.use("/v1/completions", requireScope("inference"));
  app.use("/v1/embeddings", requireScope("inference"));
  // Each inference route is one pipeline (edge/pipeline): call record, meter, the body read
  // once, limits, guardrails, cache, relay.
  mountModelRoutes(app, deps);
  mountChatRoutes(app, deps);
  mountCompletionRoutes(app, deps);
  mountEmbeddingRoutes(app, deps);
  // Keys, users and the audit log: the same module as the appliance's.
  app.route(
    "/",
    identityAdminRoutes<EdgeEnv>({
      db: store,
      now,
      // Refused on this isolate from now on; elsewhere within the key cache's TTL.
      keyRevoked: (db, key) => forgetApiKey(db, key.hash),
    }),
  );
  // Templates: the same module as the appliance's.
  app.route(
    "/",
    templateRoutes<EdgeEnv>({
      db: store,
      now,
      checkOutputSchema: checkJsonSchema,
    }),
  );
  app.route(
    "/",
    seedRowRoutes<EdgeEnv>({
      db: store,
      now,
      limitBytes: (c) => settings(c).seedUploadLimitBytes,
      // D1 binds at most 100 values a statement: three per row.
      rowsPerStatement: 30,
    }),
  );
  // Jobs: the same module as the appliance's; batches of sample keys go on the jobs queue.
  app.route(
    "/",
    jobRoutes<EdgeEnv>({
      db: store,
      now,
      runner: jobRunner,
      // Refused at creation when no route serves it (unknown model, provider without a key).
      resolveModel: async (c, model) => {
        await routeFor(c, model, deps, { promptTokens: 0, maxTokens: 0 }, ["chat"]);
        return model;
      },
      rowsPerStatement: 30,
      // Estimates: prompts sized as the limits size them, priced as the budget prices them.
      measurePrompts: (c) => async (model, prompts) => {
        await routeFor(c, model, deps, { promptTokens: 0, maxTokens: 0 }, ["chat"]);
        return {
          model,
          promptTokens: prompts.map((messages) => estimateChat({ model, messages }).promptTokens),
          exact: false,
          tokensPerSecond: null,
          defaultMaxTokens: () => DEFAULT_MAX_TOKENS,
          maxCostUsd: (promptTokens, maxTokens) =>
            maxCostOf(settings(c), model, { promptTokens, maxTokens }),
        };
      },
    }),
  );
  app.route(
    "/",
    datasetRoutes<EdgeEnv>({
      db: store,
      runner: jobRunner,
      exports: (c) => (c.env.DATASETS ? r2ExportStore(c.env.DATASETS) : undefined),
    }),
  );
  mountProviderKeyRoutes(app, now);
  mountLimitRoutes(app, now);
  // Usage reports: the same module as the appliance's.
  app.route("/", usageRoutes<EdgeEnv>({ db: store, now }));
  mountHubRoutes(app, now);

  app.notFound(() =>
    errorResponse(new ApiError(404, "No such route.", { code: "route_not_found" })),
  );
  app.onError((err) => {
    const apiError = toApiError(err);
    // Upstream failures (502-504) are operations, not bugs: one line; anything else in full.
    if (apiError.status === 500) console.error(err);
    else if (apiError.status > 500) console.warn(`${apiError.status} ${apiError.message}`);
    return errorResponse(apiError);
  });
  return app;
}

const app = createEdgeApp();

/** The Worker: HTTP, and the jobs queue's consumer (which calls back into the same app). */
export default {
  fetch: app.fetch,
  queue: createJobConsumer(app),
} satisfies ExportedHandler<Bindings, JobBatchMessage>;

/** The Durable Object of a site (the hybrid link). */
export { SiteHub } from "./hub/index.ts";
/** The reconcile monitor of a running job. */
export { JobMonitor } from "./jobs/monitor.ts";
export { JobSlots } from "./jobs/slots.ts";
/** Durable Object classes must be named exports of the Worker's main module. */
export { RateLimiter } from "./middleware/rate-limit/index.ts";
