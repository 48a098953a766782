/**
 * Runs a route plan: each target in order, retried with backoff on the policy's triggers
 * (honouring `Retry-After`), skipped while its circuit is open, falling back to the next on the
 * policy's triggers. The first success wins and names its target. This is the only feeder of
 * the circuit breaker (a stream's late failure comes back through {@link Dispatched.failedLate}).
 */
import { ApiError } from "../../shared/api/errors.ts";
import { toClientError, UpstreamError } from "../providers/errors.ts";
import type { Target } from "../providers/types.ts";
import { retryDelay } from "./backoff.ts";
import type { CircuitBreaker } from "./circuit-breaker.ts";
import type { PlannedTarget, RoutePlan } from "./plan.ts";
import type { Trigger } from "./policy.ts";

/** One call made to a target, as the request log lists it. */
export interface Attempt {
  /** `provider/model`. */
  target: string;
  /** The target's HTTP status: 200 when the attempt succeeded, null when none came back. */
  status: number | null;
  /** Milliseconds the attempt took (a stream's: until its first meaningful chunk). */
  ms: number;
  /** Why it failed (`status`, `timeout`, `network`, `stream`, or our error's code). */
  failure?: string;
}

/** What the dispatcher needs from the outside world (injected, so tests control time). */
export interface DispatchDeps {
  sleep(ms: number): Promise<void>;
  random(): number;
  now(): number;
  breaker: CircuitBreaker;
  /** Hears each attempt as it begins (its trace span starts). */
  onAttemptStart?: (target: Target) => void;
  /** Hears each attempt once it succeeded or failed (the call record's list). */
  onAttempt?: (attempt: Attempt) => void;
}

/** The attempt on `target` from `began` that ended in `err` (null: it succeeded). */
function attemptOf(target: Target, began: number, now: number, err: unknown): Attempt {
  const ms = Math.max(0, Math.round(now - began));
  if (err === null) return { target: target.id, status: 200, ms };
  if (err instanceof UpstreamError) {
    return { target: target.id, status: err.status || null, ms, failure: err.failure };
  }
  const code = err instanceof ApiError ? err.code : null;
  return { target: target.id, status: null, ms, failure: code ?? "error" };
}

/** The outcome of a dispatched call. */
export interface Dispatched<T> {
  value: T;
  target: Target;
  /** Attempts made, failed ones included. */
  attempts: number;
  /**
   * Counts a failure that showed only after the answer began (a stream cut after output was
   * sent) against the target's circuit: too late to fall back, not too late for the breaker.
   */
  failedLate(): void;
}

const matches = (err: UpstreamError, triggers: readonly Trigger[]) =>
  triggers.includes(err.failure === "status" ? err.status : err.failure);

/** A failure that says something about the target's health (not the request's). */
const countsAgainstTarget = (err: UpstreamError) =>
  err.failure !== "status" || err.status === 429 || err.status >= 500;

/** The circuit of a target: a tenant's own key has its own (its quota is not everyone's). */
export const circuitKey = ({ id, owner }: Target) => (owner ? `${id}@${owner}` : id);

/** Calls `attempt` along the plan until one succeeds; throws the last failure as an ApiError. */
export async function dispatch<T>(
  plan: RoutePlan,
  attempt: (planned: PlannedTarget) => Promise<T>,
  deps: DispatchDeps,
): Promise<Dispatched<T>> {
  let last: unknown;
  /** The target of the last attempt made (a refused one names it in `x-textnlp-target`). */
  let reached: Target | undefined;
  let attempts = 0;
  for (const planned of plan.targets) {
    const key = circuitKey(planned.target);
    for (let retry = 0; ; retry++) {
      if (!deps.breaker.allow(key, plan.breaker)) {
        last = new UpstreamError(
          planned.target.provider,
          "circuit_open",
          `circuit open for ${key}`,
          {
            retryAfter: deps.breaker.retryAfter(key, plan.breaker),
          },
        );
        break;
      }
      attempts += 1;
      reached = planned.target;
      deps.onAttemptStart?.(planned.target);
      const began = deps.now();
      try {
        const value = await attempt(planned);
        deps.onAttempt?.(attemptOf(planned.target, began, deps.now(), null));
        deps.breaker.success(key);
        const failedLate = () => deps.breaker.failure(key, plan.breaker);
        return { value, target: planned.target, attempts, failedLate };
      } catch (err) {
        last = err;
        deps.onAttempt?.(attemptOf(planned.target, began, deps.now(), err));
        if (!(err instanceof UpstreamError)) {
          // The request itself cannot go to this target (capability): the probe proved nothing.
          deps.breaker.release(key);
          break;
        }
        if (countsAgainstTarget(err)) deps.breaker.failure(key, plan.breaker);
        else deps.breaker.success(key);
        if (retry >= plan.retry.attempts || !matches(err, plan.retry.on)) break;
        const delay = retryDelay(retry, err.retryAfter, plan.retry, deps.random);
        if (delay === null) break;
        await deps.sleep(delay);
      }
    }
    if (last instanceof UpstreamError && !matches(last, plan.fallbackOn)) break;
  }
  if (last instanceof UpstreamError) {
    // A failure no attempt was made for (an open circuit) reached no target.
    throw toClientError(last, last.failure === "circuit_open" ? undefined : reached?.id);
  }
  if (last instanceof ApiError) throw last;
  throw last ?? new ApiError(503, "No target could serve the request.");
}
