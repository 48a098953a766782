/**
 * The edge gateway: app assembly only (middleware order, routes, error handling).
 */
import { requestId } from "hono/request-id";
import { createApiApp, errorResponse, toApiError } from "../shared/api/app.ts";
import { ApiError } from "../shared/api/errors.ts";
import type { EdgeEnv } from "./env.ts";
import { mountHealthRoutes } from "./routes/health.ts";
import { mountModelRoutes } from "./routes/models.ts";

const app = createApiApp<EdgeEnv>();

app.use(requestId({ limitLength: 128 }));
mountHealthRoutes(app);
mountModelRoutes(app);

app.notFound(() => errorResponse(new ApiError(404, "No such route.", { code: "route_not_found" })));
app.onError((err) => {
  const apiError = toApiError(err);
  if (apiError.status >= 500) console.error(err);
  return errorResponse(apiError);
});

export default app;
