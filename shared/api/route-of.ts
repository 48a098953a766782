import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * The route pattern that answered (`/v1/jobs/:id`), never the raw path: logs and spans name
 * routes, not ids. Null when no route matched (a 404, or a request a middleware answered).
 */
// biome-ignore lint/suspicious/noExplicitAny: any Hono environment
export function routeOf(c: Context<any>): string | null {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return null;
}
