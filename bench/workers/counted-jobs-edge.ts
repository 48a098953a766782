/**
 * The edge with its storage bindings wrapped by the round-trips test's counters, for both its
 * handlers: HTTP and the jobs queue's consumer, so the bench reads how many D1 statements a job's
 * sample costs beside a direct request's. Never timed. `GET /__bench/round-trips` answers the
 * counts so far and resets them.
 */
import app from "../../edge/index.ts";
import type { JobBatchMessage } from "../../edge/jobs/consumer.ts";
import { countedBindings, type RoundTrips } from "../../edge/test/round-trips.ts";

export { JobMonitor, JobSlots, RateLimiter, SiteHub } from "../../edge/index.ts";

/** One wrapped environment per isolate, shared by both handlers. */
let counted: { env: object; trips: RoundTrips } | undefined;
const countedEnv = (env: object) => {
  if (!counted) {
    const { bindings, trips } = countedBindings();
    counted = { env: { ...env, ...bindings }, trips };
  }
  return counted;
};

export default {
  fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response> {
    const { env: wrapped, trips } = countedEnv(env);
    if (new URL(request.url).pathname === "/__bench/round-trips") {
      const now = { ...trips };
      trips.d1 = trips.kv = trips.durableObject = 0;
      return Response.json(now);
    }
    return app.fetch(request, wrapped, ctx);
  },
  queue(batch: MessageBatch<JobBatchMessage>, env: object, ctx: ExecutionContext): Promise<void> {
    return app.queue(batch, countedEnv(env).env as never, ctx);
  },
};
