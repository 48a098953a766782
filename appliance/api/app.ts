import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { createApiApp, errorResponse, toApiError } from "../../shared/api/app.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { identityAdminRoutes } from "../../shared/identity/admin-routes.ts";
import { SEED_UPLOAD_PATH, seedRowRoutes } from "../../shared/synth/routes/seed-rows.ts";
import { templateRoutes } from "../../shared/synth/routes/templates.ts";
import { usageRoutes } from "../../shared/usage/routes.ts";
import { isLoopback } from "../config.ts";
import { compileResponseSchema } from "../inference/json-schema.ts";
import { mountPanel } from "../panel/index.ts";
import { apiKeyAuth } from "./middleware/auth.ts";
import { httpMetrics } from "./middleware/metrics.ts";
import { requestLog } from "./middleware/request-log.ts";
import { tracing } from "./middleware/tracing.ts";
import { meterUsage } from "./middleware/usage.ts";
import { mountChatRoutes } from "./routes/chat.ts";
import { mountCompletionRoutes } from "./routes/completions.ts";
import { mountDatasetRoutes } from "./routes/datasets.ts";
import { mountDocsRoutes } from "./routes/docs.ts";
import { mountEmbeddingRoutes } from "./routes/embeddings.ts";
import { mountJobRoutes } from "./routes/jobs.ts";
import { mountMetricsRoute } from "./routes/metrics.ts";
import { mountHealthRoutes, mountModelRoutes } from "./routes/models.ts";
import { mountReviewRoutes } from "./routes/review.ts";
import { mountValidateRoutes } from "./routes/validate.ts";
import type { ApplianceEnv, ApplianceServices } from "./types.ts";

/** Assembles the appliance's HTTP app: middleware order, routes, error handling. */
export function createApplianceApp(services: ApplianceServices): OpenAPIHono<ApplianceEnv> {
  const { config, logger, db, lifecycle } = services;
  const app = createApiApp<ApplianceEnv>();

  app.use(requestId({ limitLength: 128 }));
  if (services.tracer) app.use(tracing(services.tracer));
  app.use(requestLog({ logger }));
  if (services.metrics) app.use(httpMetrics(services.metrics));
  if (services.usage) app.use(meterUsage({ meter: services.usage }));
  if (config.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: [...config.corsOrigins],
        allowHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
      }),
    );
  }
  const limitBody = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: () => {
      throw new ApiError(413, `Request body is larger than ${config.bodyLimitBytes} bytes.`, {
        code: "body_too_large",
      });
    },
  });
  // Seed-row uploads stream with their own, larger limit.
  app.use((c, next) => (c.req.path === SEED_UPLOAD_PATH ? next() : limitBody(c, next)));
  app.use("/v1/*", async (_c, next) => {
    if (lifecycle.draining)
      throw new ApiError(503, "The server is shutting down.", {
        retryAfter: 5,
        code: "shutting_down",
      });
    return next();
  });
  app.use(
    "/v1/*",
    apiKeyAuth({ db, loopback: isLoopback(config.host), secure: Boolean(config.tls) }),
  );

  mountHealthRoutes(app, services);
  mountModelRoutes(app, services);
  mountChatRoutes(app, services);
  mountCompletionRoutes(app, services);
  mountEmbeddingRoutes(app, services);
  app.route(
    "/",
    templateRoutes<ApplianceEnv>({
      db: () => db,
      now: Date.now,
      checkOutputSchema: (schema, param) => void compileResponseSchema(schema, param),
    }),
  );
  app.route(
    "/",
    seedRowRoutes<ApplianceEnv>({
      db: () => db,
      now: Date.now,
      limitBytes: () => services.config.seedUploadLimitBytes,
    }),
  );
  mountJobRoutes(app, services);
  mountDatasetRoutes(app, services);
  mountReviewRoutes(app, services);
  mountValidateRoutes(app, services);
  // Keys, users and the audit log: the same module as the edge's.
  app.route("/", identityAdminRoutes<ApplianceEnv>({ db: () => db, now: Date.now }));
  // Usage reports: the same module as the edge's, over every call metered so far.
  app.route(
    "/",
    usageRoutes<ApplianceEnv>({
      db: () => {
        services.usage?.flush();
        return db;
      },
      now: Date.now,
    }),
  );
  mountDocsRoutes(app);
  mountPanel(app, services);
  mountMetricsRoute(app, services);

  app.notFound(() =>
    errorResponse(
      new ApiError(404, "No such route. See /docs for the API.", { code: "route_not_found" }),
    ),
  );
  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) logger.error({ err, reqId: c.get("requestId") }, "request failed");
    return errorResponse(apiError);
  });
  return app;
}
