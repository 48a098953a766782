/**
 * The second ceiling: a Worker that only forwards each request, as it came, to the upstream
 * (`UPSTREAM`, the fake provider's origin) and returns its answer. What any gateway in workerd
 * pays for the extra hop before doing any work of its own.
 */
interface Env {
  UPSTREAM: string;
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const { pathname, search } = new URL(request.url);
    return fetch(`${env.UPSTREAM}${pathname}${search}`, request);
  },
};
