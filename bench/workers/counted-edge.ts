/**
 * The edge with its storage bindings wrapped by the round-trips test's counters
 * (`edge/test/round-trips.ts`), for the bench to read how many D1, KV and Durable Object calls a
 * request makes. Never timed: the bench times the deployable bundle, and runs this one apart.
 * `GET /__bench/round-trips` answers the counts so far and resets them.
 */
import app from "../../edge/index.ts";
import { countedBindings, type RoundTrips } from "../../edge/test/round-trips.ts";

export { JobMonitor, JobSlots, RateLimiter, SiteHub } from "../../edge/index.ts";

/** One wrapped environment per isolate, so the edge's per-environment settings cache holds. */
let counted: { env: object; trips: RoundTrips } | undefined;

export default {
  fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response> {
    if (!counted) {
      const { bindings, trips } = countedBindings();
      counted = { env: { ...env, ...bindings }, trips };
    }
    if (new URL(request.url).pathname === "/__bench/round-trips") {
      const trips = { ...counted.trips };
      counted.trips.d1 = counted.trips.kv = counted.trips.durableObject = 0;
      return Response.json(trips);
    }
    return app.fetch(request, counted.env, ctx);
  },
};
