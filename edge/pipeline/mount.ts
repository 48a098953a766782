/**
 * The inference pipeline, mounted as one unit per route so its order is fixed here and nowhere
 * else: open the call record, meter it, read the body once, reserve against the limits, guard,
 * answer from the cache, then relay to the planned targets. Each step is a middleware factory;
 * they talk only through `c.get("inference")` (the request) and `c.get("call")` (the call record).
 */
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { type Attributes, SpanStatusCode } from "@opentelemetry/api";
import type { Context } from "hono";
import { ApiError } from "../../shared/api/errors.ts";
import type { EdgeEnv } from "../env.ts";
import type { Served } from "../gateway/served.ts";
import type { InferenceOf, InferenceRoute, ParsedInference, Routed } from "../inference/request.ts";
import { responseCache } from "../middleware/cache/index.ts";
import { guardrails } from "../middleware/guardrails/index.ts";
import { meterUsage } from "../middleware/meter/index.ts";
import { enforceLimits } from "../middleware/rate-limit/index.ts";
import { tracedStep } from "../middleware/tracing/index.ts";
import type { Target } from "../providers/types.ts";
import type { Attempt } from "../routing/dispatch.ts";
import { openCall } from "./open-call.ts";
import { readInference } from "./read-inference.ts";

/** What one inference route brings to the pipeline. */
export interface InferenceSpec<R extends InferenceRoute> {
  route: R;
  /** The shared OpenAPI definition (documented here; the body is validated by the pipeline). */
  definition: RouteConfig;
  /** Where the request goes. */
  plan(c: Context<EdgeEnv>, parsed: ParsedInference<R>): Promise<Routed>;
  /** Sends it there. */
  serve(inference: InferenceOf<R>, routed: Routed): Promise<Served>;
}

/** Options of {@link mountInference}. */
export interface PipelineOptions {
  now?: () => number;
  /** Hears each body parsed (a test counter). */
  onBodyParsed?: (route: InferenceRoute) => void;
}

/** The planner, with a span for the routing decision when the request is traced. */
function tracedPlan<R extends InferenceRoute>(
  plan: InferenceSpec<R>["plan"],
): InferenceSpec<R>["plan"] {
  return async (c, parsed) => {
    const span = c.get("trace")?.start("routing decision", {
      "gen_ai.request.model": parsed.request.model,
    });
    try {
      const routed = await plan(c, parsed);
      span?.setAttribute(
        "textnlp.targets",
        routed.plan.targets.map(({ target }) => target.id),
      );
      return routed;
    } catch (err) {
      span?.setAttribute("error.type", (err instanceof ApiError && err.code) || "error");
      span?.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span?.end();
    }
  };
}

/**
 * What the guardrails did, for their span: the kinds found (`pii:email`, `injection:role_play`,
 * as the usage row names them; never the text that matched) and the action that followed.
 */
function guardAttributes(c: Context<EdgeEnv>, passed: boolean): Attributes {
  const findings = c.get("call").guardFindings;
  return {
    "textnlp.guardrails.action": guardAction(findings, passed),
    ...(findings.length > 0 ? { "textnlp.guardrails.findings": [...findings] } : {}),
  };
}

function guardAction(findings: string[], passed: boolean): string {
  // A block always names what it found: a step that stopped without findings failed.
  if (!passed) return findings.length > 0 ? "blocked" : "failed";
  if (findings.some((f) => f.endsWith(":redacted"))) return "redacted";
  return findings.length > 0 ? "flagged" : "none";
}

/** Mounts `spec`'s route behind the whole pipeline. */
export function mountInference<R extends InferenceRoute>(
  app: OpenAPIHono<EdgeEnv>,
  spec: InferenceSpec<R>,
  { now = Date.now, onBodyParsed }: PipelineOptions = {},
): void {
  app.openAPIRegistry.registerPath(spec.definition);
  app.post(
    spec.definition.path,
    // The record first: every later step may end the call, and this one closes what is left.
    openCall({ now }),
    // Subscribes only: records the call however it ends (except a refusal by the limits).
    meterUsage({ route: spec.route, now }),
    readInference({ route: spec.route, plan: tracedPlan(spec.plan), onBodyParsed }),
    // Reserves with the estimate before any work is done; settles when the call ends.
    tracedStep("limits", enforceLimits({ now })),
    // Before the cache: a redacted prompt is what the cache keys on, a blocked one never hits.
    tracedStep("guardrails", guardrails(), guardAttributes),
    // A hit ends the call without a provider.
    tracedStep("cache lookup", responseCache({ now }), (c) => ({
      "textnlp.cache.status": c.get("call").cacheStatus,
    })),
    async function relayInference(c) {
      const inference = c.get("inference") as InferenceOf<R>;
      const call = c.get("call");
      const { plan, deps } = await inference.plan();
      const trace = c.get("trace");
      // Each attempt the dispatcher makes goes on the call's record (the request log lists them)
      // and, when tracing, is a span whose context the upstream request carries.
      const onAttempt = (attempt: Attempt) => {
        call.attempts.push(attempt);
        trace?.endAttempt(attempt);
      };
      const traced = trace && {
        traceparent: () => trace.attemptTraceparent(),
        onAttemptStart: (target: Target) => trace.beginAttempt(target.id),
      };
      const served = await spec.serve(inference, {
        plan,
        deps: { ...deps, ...traced, onAttempt },
      });
      call.end(served.end);
      return served.response;
    },
  );
}
