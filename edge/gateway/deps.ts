/** Everything the gateway takes from the outside world, injected so tests control it. */
import type { ImageFetcher } from "../providers/images.ts";
import type { CircuitBreaker } from "../routing/circuit-breaker.ts";
import type { DispatchDeps } from "../routing/dispatch.ts";
import type { UpstreamDeps } from "./upstream.ts";

export interface GatewayDeps extends DispatchDeps, UpstreamDeps {
  breaker: CircuitBreaker;
  /** Fetches image URLs for providers that need the bytes (default: guarded, public hosts only). */
  fetchImage?: ImageFetcher;
  /** Hears each inference body parsed: a test's counter (unset in production, where it costs nothing). */
  onBodyParsed?: (route: string) => void;
}

/** The header that names the target that answered. */
export const TARGET_HEADER = "x-textnlp-target";
