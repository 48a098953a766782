/**
 * One inference request, read once: the body validated against its route's schema, the size
 * estimate that limits and cheapest-first routing share, and its routing plan (made on first
 * use, since a cache hit or a refusal never needs one). A plain function, so a queue consumer
 * can run the same pipeline without an HTTP request.
 */
import { validationError } from "../../shared/api/app.ts";
import { ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import { CompletionRequest } from "../../shared/api/schemas/completions.ts";
import { EmbeddingRequest } from "../../shared/api/schemas/embeddings.ts";
import type { GatewayDeps } from "../gateway/deps.ts";
import type { RequestEstimate } from "../routing/backoff.ts";
import { estimateChat, estimateCompletion, estimateEmbeddings } from "../routing/estimate.ts";
import type { RoutePlan } from "../routing/plan.ts";

/** The inference routes, and the request each takes. */
export interface InferenceRequests {
  chat: ChatCompletionRequest;
  completions: CompletionRequest;
  embeddings: EmbeddingRequest;
}
export type InferenceRoute = keyof InferenceRequests;

/** Where a call goes, and the deps that reach it (a site's hub has its own fetch). */
export interface Routed {
  plan: RoutePlan;
  deps: GatewayDeps;
}

/** A validated request of route `R` and its size. */
export interface ParsedInference<R extends InferenceRoute = InferenceRoute> {
  route: R;
  request: InferenceRequests[R];
  estimate: RequestEstimate;
}

/** A parsed request with its routing plan. */
export interface InferenceOf<R extends InferenceRoute> extends ParsedInference<R> {
  /** The routing plan, made on the first call and kept. */
  plan(): Promise<Routed>;
}

/** What the pipeline carries for one request (`c.get("inference")`), by route. */
export type Inference = { [R in InferenceRoute]: InferenceOf<R> }[InferenceRoute];

const schemas = {
  chat: ChatCompletionRequest,
  completions: CompletionRequest,
  embeddings: EmbeddingRequest,
} as const;

const estimators: { [R in InferenceRoute]: (req: InferenceRequests[R]) => RequestEstimate } = {
  chat: estimateChat,
  completions: estimateCompletion,
  embeddings: estimateEmbeddings,
};

/** Validates `body` against `route`'s schema (a 400 naming the field) and estimates it, once. */
export function parseInference<R extends InferenceRoute>(
  route: R,
  body: unknown,
): ParsedInference<R> {
  const parsed = schemas[route].safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, "request body");
  const request = parsed.data as InferenceRequests[R];
  return { route, request, estimate: estimators[route](request) };
}

/** `parsed` with a plan that `planner` makes on first use. */
export function withPlan<R extends InferenceRoute>(
  parsed: ParsedInference<R>,
  planner: (parsed: ParsedInference<R>) => Promise<Routed>,
): InferenceOf<R> {
  let routed: Promise<Routed> | undefined;
  return { ...parsed, plan: () => (routed ??= planner(parsed)) };
}
